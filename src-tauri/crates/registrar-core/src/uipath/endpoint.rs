//! Where an organization's identity server is ([`Endpoint`]) and how its URLs are built.

use url::Url;
use uuid::Uuid;

/// Where an organization's identity server is, and which partition (organization GUID) to manage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The identity base, e.g. `https://cloud.uipath.com/acme/identity_`, without a trailing slash.
    pub identity_url: Url,
    pub partition_global_id: Uuid,
    /// Automation Cloud's organization name, for user sign-in: see [`Endpoint::authorize_url`].
    pub cloud_organization: Option<String>,
}

impl Endpoint {
    pub fn token_url(&self) -> Url {
        join(&self.identity_url, &["connect", "token"])
    }

    /// The organization an Automation Cloud identity URL (`https://cloud.uipath.com/{org}/identity_`)
    /// names, for an endpoint known only by its URL.
    pub fn cloud_organization_in(identity_url: &Url) -> Option<String> {
        if identity_url.host_str() != Some(crate::connections::CLOUD_HOST) {
            return None;
        }
        match identity_url.path_segments()?.collect::<Vec<_>>()[..] {
            [organization, "identity_"] if !organization.is_empty() => {
                Some(organization.to_owned())
            }
            _ => None,
        }
    }

    /// Where a user signs in. Automation Cloud's is the host-level `/identity_/connect/authorize`
    /// with the organization named in `acr_values=tenantName:{organization}`: the
    /// organization-scoped form fails for federated organizations (UiPath's own PowerShell
    /// module moved to this form for that reason). Elsewhere it is under the identity base.
    pub fn authorize_url(&self) -> Url {
        match &self.cloud_organization {
            Some(organization) => {
                let mut url = self.identity_url.clone();
                url.set_path("/identity_/connect/authorize");
                url.query_pairs_mut()
                    .append_pair("acr_values", &format!("tenantName:{organization}"));
                url
            }
            None => join(&self.identity_url, &["connect", "authorize"]),
        }
    }

    /// The OpenID discovery document.
    pub fn discovery_url(&self) -> Url {
        join(&self.identity_url, &[".well-known", "openid-configuration"])
    }
}

pub(super) fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.path_segments_mut()
        .expect("identity URLs are http(s) URLs, which have a path")
        .pop_if_empty()
        .extend(segments);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_under_the_identity_base() {
        let endpoint = Endpoint {
            identity_url: Url::parse("https://cloud.uipath.com/acme/identity_").unwrap(),
            partition_global_id: Uuid::nil(),
            cloud_organization: None,
        };
        assert_eq!(
            endpoint.token_url().as_str(),
            "https://cloud.uipath.com/acme/identity_/connect/token"
        );
        assert_eq!(
            endpoint.authorize_url().as_str(),
            "https://cloud.uipath.com/acme/identity_/connect/authorize"
        );
        let cloud = Endpoint {
            cloud_organization: Some("acme".into()),
            ..endpoint
        };
        assert_eq!(
            cloud.authorize_url().as_str(),
            "https://cloud.uipath.com/identity_/connect/authorize?acr_values=tenantName%3Aacme",
            "Automation Cloud signs users in at the host level, naming the organization"
        );
        assert_eq!(
            cloud.token_url().as_str(),
            "https://cloud.uipath.com/acme/identity_/connect/token"
        );
        let of = |url: &str| Endpoint::cloud_organization_in(&Url::parse(url).unwrap());
        assert_eq!(
            of("https://cloud.uipath.com/acme/identity_"),
            Some("acme".into())
        );
        assert_eq!(of("https://suite.example.com/acme/identity_"), None);
        assert_eq!(of("https://cloud.uipath.com/identity_"), None);
        let trailing = Url::parse("https://host.example/identity/").unwrap();
        assert_eq!(
            join(&trailing, &["api", "ExternalClient"]).as_str(),
            "https://host.example/identity/api/ExternalClient"
        );
    }
}
