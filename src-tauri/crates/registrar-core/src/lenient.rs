//! Members that servers write in other forms than the RFCs give: read them all the same.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrList {
    Text(String),
    List(Vec<String>),
}

/// A text, or the first of a list of texts (`token_endpoint_auth_method` as an array of one);
/// null or an empty list: none.
pub fn one_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<TextOrList>::deserialize(d)? {
        None => None,
        Some(TextOrList::Text(text)) => Some(text),
        Some(TextOrList::List(list)) => list.into_iter().next(),
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText<N> {
    Number(N),
    Text(String),
}

/// A number, also when written as a string; absent or null: none.
pub fn number<'de, D, N>(d: D) -> Result<Option<N>, D::Error>
where
    D: Deserializer<'de>,
    N: Deserialize<'de> + std::str::FromStr,
{
    match Option::<NumberOrText<N>>::deserialize(d)? {
        None => Ok(None),
        Some(NumberOrText::Number(n)) => Ok(Some(n)),
        Some(NumberOrText::Text(text)) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("a number written as text")),
    }
}

/// The value, or its default when the member is null.
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Member {
        #[serde(default, deserialize_with = "super::one_text")]
        method: Option<String>,
        #[serde(default, deserialize_with = "super::number")]
        at: Option<i64>,
        #[serde(default, deserialize_with = "super::or_default")]
        uris: Vec<String>,
    }

    fn read(json: &str) -> Member {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn each_form_servers_write_is_read() {
        let member = read(r#"{"method":["client_secret_basic"],"at":"1795832318","uris":null}"#);
        assert_eq!(member.method.as_deref(), Some("client_secret_basic"));
        assert_eq!(member.at, Some(1_795_832_318));
        assert!(member.uris.is_empty());
        let member = read(r#"{"method":"none","at":0,"uris":["https://a.example/cb"]}"#);
        assert_eq!(
            (member.method.as_deref(), member.at),
            (Some("none"), Some(0))
        );
        let member = read(r#"{"at":null,"method":null}"#);
        assert_eq!((member.at, member.method), (None, None));
        assert!(serde_json::from_str::<Member>(r#"{"at":"soon"}"#).is_err());
    }
}
