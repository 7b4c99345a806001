//! A file of the command line's own caches (the up-to-date stamps, the schema verdicts, the
//! CRD digests) written whole or not at all: a run killed mid-write, or two runs at once,
//! never leave a half-written file for the next run to read.

use std::io::Write as _;
use std::path::Path;

/// Replaces `path` with `bytes` by renaming a finished file over it (creating its folder).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_is_replaced_whole() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("cache/schema-verdicts");
        write_atomically(&path, b"first").expect("write");
        write_atomically(&path, b"second").expect("write again");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("folder"))
            .expect("list")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["schema-verdicts"], "no temporary file is left");
    }
}
