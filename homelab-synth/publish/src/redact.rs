//! Keeping secrets out of output: URLs lose their user information, and any text that
//! reaches the user passes through [`Redactor::clean`], which masks the token.

/// Masks one secret in text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Redactor {
    secret: Option<String>,
}

impl Redactor {
    pub(crate) fn new(secret: Option<&str>) -> Self {
        Redactor {
            secret: secret.filter(|s| !s.is_empty()).map(str::to_owned),
        }
    }

    /// `text` with the secret replaced by `***` and URLs stripped of credentials.
    pub(crate) fn clean(&self, text: &str) -> String {
        let masked = match &self.secret {
            Some(secret) => text.replace(secret.as_str(), "***"),
            None => text.to_owned(),
        };
        masked
            .split(' ')
            .map(sanitize_url)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A URL without `user:password@` (other text is returned as it is).
pub fn sanitize_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials() {
        assert_eq!(
            sanitize_url("https://x-access-token:ghp_secret@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            sanitize_url("https://github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(sanitize_url("/srv/git/r.git"), "/srv/git/r.git");
        assert_eq!(sanitize_url("https://h/p@q"), "https://h/p@q");
    }

    #[test]
    fn the_secret_is_masked_everywhere() {
        let redactor = Redactor::new(Some("s3cr3t"));
        assert_eq!(
            redactor.clean("failed for http://u:s3cr3t@h/r: token s3cr3t rejected"),
            "failed for http://h/r: token *** rejected"
        );
        assert_eq!(Redactor::new(Some("")).clean("a b"), "a b");
    }
}
