//! Whole numbers in JSON bodies. JSON has one number type, and JSON Schema's `integer` (which
//! `openapi.yaml` uses) counts `7.0` as the integer 7; serde's `i64` refuses it. These
//! `deserialize_with` helpers take `7`, `7.0` and `7e0` as 7 and refuse `7.5` (a type error,
//! so the route answers 422 `invalid_body` as for any other wrong type).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// One whole number, from a JSON integer or an integral float within `i64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Whole(pub i64);

struct WholeVisitor;

impl Visitor<'_> for WholeVisitor {
    type Value = Whole;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Whole, E> {
        Ok(Whole(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Whole, E> {
        i64::try_from(v)
            .map(Whole)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Whole, E> {
        // -2^63 ..= 2^63 - 1; every integral f64 in [-2^63, 2^63) converts exactly.
        if v.fract() == 0.0 && (-(2f64.powi(63))..2f64.powi(63)).contains(&v) {
            Ok(Whole(v as i64))
        } else {
            Err(E::invalid_type(de::Unexpected::Float(v), &self))
        }
    }
}

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WholeVisitor)
    }
}

/// For `#[serde(default, deserialize_with = "whole::option")] x: Option<i64>`.
pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}

/// For `#[serde(deserialize_with = "whole::list_of_options")] x: Vec<Option<i64>>`.
pub fn list_of_options<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Option<i64>>, D::Error> {
    Ok(Vec::<Option<Whole>>::deserialize(d)?
        .into_iter()
        .map(|o| o.map(|w| w.0))
        .collect())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "super::option")]
        days: Option<i64>,
        #[serde(default, deserialize_with = "super::list_of_options")]
        answers: Vec<Option<i64>>,
    }

    fn parse(json: &str) -> Result<Body, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integral_floats_are_whole_numbers() {
        let b = parse(r#"{"days": 7.0, "answers": [2.0, null, 10, 1e1]}"#).unwrap();
        assert_eq!(b.days, Some(7));
        assert_eq!(b.answers, vec![Some(2), None, Some(10), Some(10)]);
        assert_eq!(parse(r#"{"days": -3}"#).unwrap().days, Some(-3));
        assert_eq!(parse("{}").unwrap().days, None);
        assert_eq!(parse(r#"{"days": null}"#).unwrap().days, None);
    }

    #[test]
    fn fractions_strings_and_out_of_range_are_refused() {
        for bad in [
            r#"{"days": 7.5}"#,
            r#"{"days": "7"}"#,
            r#"{"days": 1e19}"#,
            r#"{"days": 18446744073709551615}"#,
            r#"{"answers": [1, 2.5]}"#,
            r#"{"days": true}"#,
        ] {
            let e = parse(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(e.is_data(), "{bad}: {e}");
        }
    }
}
