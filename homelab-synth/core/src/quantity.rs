//! Kubernetes resource quantities (`500m`, `8Gi`, `1.5`, `1e3`), parsed by the grammar of
//! apimachinery's `resource.Quantity` so an unparsable value fails synthesis instead of
//! being rejected by the API server at sync time.

/// The result of parsing a quantity.
pub type Result<T, E = QuantityError> = std::result::Result<T, E>;

/// Why a quantity is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The text does not follow the quantity grammar.
    #[error(
        "`{0}` is not a valid quantity (expected a number with an optional suffix such as m, k, M, G, Ki, Mi, Gi or e3)"
    )]
    Syntax(String),
}

/// Checks `text` against the quantity grammar:
/// `[+-]digits[.digits]` followed by nothing, a binary suffix (`Ki`..`Ei`), a decimal suffix
/// (`n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`) or a decimal exponent (`e3`, `E-2`).
pub fn parse_quantity(text: &str) -> Result<()> {
    let error = || QuantityError::Syntax(text.to_owned());
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(digits_end);
    let mut parts = number.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    let valid_number = match fraction {
        None => !whole.is_empty(),
        Some(fraction) => (!whole.is_empty() || !fraction.is_empty()) && !fraction.contains('.'),
    };
    if !valid_number {
        return Err(error());
    }
    let valid_suffix = match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "n" | "u" | "m" | "k" | "M" | "G" | "T"
        | "P" | "E" => true,
        exponent if exponent.starts_with(['e', 'E']) => {
            let digits = &exponent[1..];
            let digits = digits.strip_prefix(['+', '-']).unwrap_or(digits);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    if valid_suffix { Ok(()) } else { Err(error()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_quantities() {
        for text in [
            "1", "0", "500m", "1.5", ".5", "5.", "8Gi", "100Mi", "2Ki", "1k", "1M", "1e3", "1E-2",
            "+1", "-1", "4000m", "0.1", "10Ei", "3n", "3u",
        ] {
            assert_eq!(parse_quantity(text), Ok(()), "{text}");
        }
    }

    #[test]
    fn invalid_quantities_are_named() {
        for text in [
            "", "Gi", "5 Gi", "5gi", "5GB", "1.2.3", ".", "1e", "1e+", "abc", "1Kii", "--1", "1 ",
        ] {
            assert_eq!(
                parse_quantity(text),
                Err(QuantityError::Syntax(text.to_owned())),
                "{text}"
            );
        }
        assert_eq!(
            parse_quantity("5 Gi").unwrap_err().to_string(),
            "`5 Gi` is not a valid quantity (expected a number with an optional suffix such as \
             m, k, M, G, Ki, Mi, Gi or e3)"
        );
    }
}
