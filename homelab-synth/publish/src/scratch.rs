//! The scratch folder a publish builds its commit in: `synth-publish-<random>/` in the
//! temporary folder, holding the bare repository and `owner.lock`, which the publishing
//! process keeps locked (`flock`) while it lives. The kernel drops the lock when that process
//! ends, however it ends, so the next publish removes every scratch folder whose lock it can
//! take: those of killed publishes.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::PublishError;

/// Prefix of every scratch folder's name.
pub const SCRATCH_PREFIX: &str = "synth-publish-";

/// The lock file inside a scratch folder.
const OWNER_LOCK: &str = "owner.lock";

/// A scratch folder without its lock file is being made right now, or its maker was killed
/// in the instant between the two steps; after this long it is the latter.
const UNLOCKED_GRACE: Duration = Duration::from_secs(600);

/// A scratch folder owned by this process; removed when dropped.
#[derive(Debug)]
pub(crate) struct Scratch {
    folder: tempfile::TempDir,
    /// Held for the folder's life: the lock says "in use".
    _owner: File,
}

impl Scratch {
    /// Removes the stale scratch folders in `parent`, then makes and locks a new one.
    pub(crate) fn create(parent: &Path) -> Result<Scratch, PublishError> {
        let error = |message: String| PublishError::Scratch {
            path: parent.display().to_string(),
            message,
        };
        remove_stale(parent);
        let folder = tempfile::Builder::new()
            .prefix(SCRATCH_PREFIX)
            .tempdir_in(parent)
            .map_err(|e| error(e.to_string()))?;
        let owner =
            File::create(folder.path().join(OWNER_LOCK)).map_err(|e| error(e.to_string()))?;
        owner.lock().map_err(|e| error(e.to_string()))?;
        Ok(Scratch {
            folder,
            _owner: owner,
        })
    }

    /// Where the bare repository goes.
    pub(crate) fn repository(&self) -> PathBuf {
        self.folder.path().join("repo.git")
    }
}

/// Removes every scratch folder in `parent` that no living process holds; failures are
/// ignored (another publish may be removing the same folder).
fn remove_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let named = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(SCRATCH_PREFIX));
        // a folder itself, never a symbolic link to one
        let folder = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if named && folder && is_stale(&entry.path()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn is_stale(folder: &Path) -> bool {
    match File::open(folder.join(OWNER_LOCK)) {
        // the lock is free: its owner is gone (taking it is harmless, it dies with the file)
        Ok(owner) => match owner.try_lock() {
            Ok(()) => true,
            Err(TryLockError::WouldBlock) => false,
            Err(TryLockError::Error(_)) => false,
        },
        Err(_) => std::fs::metadata(folder)
            .and_then(|metadata| metadata.modified())
            .ok()
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .is_some_and(|age| age > UNLOCKED_GRACE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_dead_owners_go_and_live_ones_stay() {
        let parent = tempfile::tempdir().unwrap();
        // left by a killed publish: the lock file is there, nobody holds it
        let dead = parent.path().join(format!("{SCRATCH_PREFIX}dead"));
        std::fs::create_dir_all(dead.join("repo.git/objects")).unwrap();
        File::create(dead.join(OWNER_LOCK)).unwrap();
        let other = parent.path().join("unrelated");
        std::fs::create_dir(&other).unwrap();
        let live = Scratch::create(parent.path()).unwrap();
        assert!(!dead.exists(), "the dead publish's folder is removed");
        assert!(other.exists());
        let second = Scratch::create(parent.path()).unwrap();
        assert!(
            live.repository().parent().unwrap().exists(),
            "a live one stays"
        );
        let folder = second.repository().parent().unwrap().to_path_buf();
        drop(second);
        assert!(!folder.exists(), "dropped: removed");
    }
}
