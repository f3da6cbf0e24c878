//! SDK errors → [`PortError`]: the few kinds an on-call engineer acts on
//! differently (credentials, permissions, throttling, missing things, network).

use crate::domain::PortError;
use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// What the mapping needs to know to give good advice.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorContext {
    pub profile: Option<String>,
    pub endpoint: String,
}

/// Map any SDK error into a [`PortError`].
pub(crate) fn map_sdk_error<E, R>(
    operation: &str,
    err: SdkError<E, R>,
    ctx: &ErrorContext,
) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let full = DisplayErrorContext(&err).to_string();
    tracing::debug!(operation, error = %full, "AWS call failed");
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            from_code(
                operation,
                e.code().unwrap_or("Unknown"),
                e.message().unwrap_or(""),
                ctx,
            )
        }
        SdkError::TimeoutError(_) => PortError::Unreachable {
            endpoint: ctx.endpoint.clone(),
            message: "the call timed out".into(),
        },
        SdkError::DispatchFailure(dispatch) => {
            if let Some(kind) = credential_problem(&full, ctx) {
                return kind;
            }
            let what = if dispatch.is_timeout() {
                "connection timed out"
            } else if dispatch.is_io() {
                "connection failed"
            } else {
                "request could not be sent"
            };
            PortError::Unreachable {
                endpoint: ctx.endpoint.clone(),
                message: format!("{what} ({})", innermost(&err)),
            }
        }
        SdkError::ResponseError(_) => PortError::Other {
            operation: operation.into(),
            message: format!("unreadable response: {}", innermost(&err)),
        },
        _ => credential_problem(&full, ctx).unwrap_or_else(|| PortError::Other {
            operation: operation.into(),
            message: innermost(&err),
        }),
    }
}

/// Map an AWS error code (the `__type` of the response) into a [`PortError`].
pub(crate) fn from_code(
    operation: &str,
    code: &str,
    message: &str,
    ctx: &ErrorContext,
) -> PortError {
    let message = crate::domain::sanitize::one_line(message);
    match code {
        "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" | "TokenRefreshRequired" => {
            PortError::ExpiredCredentials {
                profile: ctx.profile.clone(),
            }
        }
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "AuthFailure"
        | "IncompleteSignature" => PortError::InvalidCredentials {
            profile: ctx.profile.clone(),
            message,
        },
        "AccessDeniedException"
        | "AccessDenied"
        | "UnauthorizedOperation"
        | "UnauthorizedException" => PortError::AccessDenied {
            operation: operation.into(),
            message,
        },
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "ThrottledException" => PortError::Throttled {
            operation: operation.into(),
        },
        "InvalidGroup.NotFound" | "InvalidGroupId.Malformed" => PortError::NotFound {
            what: crate::domain::Missing::SecurityGroup,
            message,
        },
        "ClusterNotFoundException" => PortError::NotFound {
            what: crate::domain::Missing::Cluster,
            message,
        },
        "ServiceNotFoundException" | "ServiceNotActiveException" => PortError::NotFound {
            what: crate::domain::Missing::Service,
            message,
        },
        "ResourceNotFoundException" | "NotFoundException" => PortError::NotFound {
            what: crate::domain::Missing::Resource,
            message,
        },
        "InvalidParameterException" | "ClientException" | "ValidationException" => {
            PortError::InvalidInput {
                operation: operation.into(),
                message,
            }
        }
        _ => PortError::Other {
            operation: operation.into(),
            message: if message.is_empty() {
                crate::domain::sanitize::one_line(code)
            } else {
                format!("{}: {message}", crate::domain::sanitize::one_line(code))
            },
        },
    }
}

/// Credential-chain failures show up before any request is sent.
fn credential_problem(full: &str, ctx: &ErrorContext) -> Option<PortError> {
    let lower = full.to_lowercase();
    if lower.contains("expired") && (lower.contains("sso") || lower.contains("token")) {
        return Some(PortError::ExpiredCredentials {
            profile: ctx.profile.clone(),
        });
    }
    if lower.contains("no providers in chain provided credentials")
        || lower.contains("no credentials found")
        || lower.contains("credential provider was not enabled")
        || lower.contains("failed to load credentials")
        || lower.contains("credentials provider")
        || lower.contains("could not find profile")
        || lower.contains("profile file")
    {
        return Some(PortError::NoCredentials {
            profile: ctx.profile.clone(),
        });
    }
    None
}

/// The innermost cause in the error's source chain ("tcp connect error: Connection refused").
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(source) = current.source() {
        current = source;
    }
    crate::domain::sanitize::one_line(&current.to_string())
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ErrorContext {
        ErrorContext {
            profile: Some("prod".into()),
            endpoint: "https://ecs.eu-west-1.amazonaws.com".into(),
        }
    }

    #[test]
    fn codes_map_to_kinds() {
        assert!(matches!(
            from_code("ListClusters", "ExpiredTokenException", "", &ctx()),
            PortError::ExpiredCredentials { .. }
        ));
        assert!(matches!(
            from_code(
                "DescribeServices",
                "ThrottlingException",
                "Rate exceeded",
                &ctx()
            ),
            PortError::Throttled { .. }
        ));
        assert!(matches!(
            from_code("ListServices", "AccessDeniedException", "no", &ctx()),
            PortError::AccessDenied { .. }
        ));
        assert!(matches!(
            from_code(
                "ListServices",
                "ClusterNotFoundException",
                "Cluster not found.",
                &ctx()
            ),
            PortError::NotFound { .. }
        ));
    }

    #[test]
    fn credential_chain_failures_are_recognised() {
        assert!(matches!(
            credential_problem("failed to construct request: The SSO session associated with this profile has expired or is otherwise invalid", &ctx()),
            Some(PortError::ExpiredCredentials { .. })
        ));
        assert!(matches!(
            credential_problem(
                "dispatch failure: other: no providers in chain provided credentials",
                &ctx()
            ),
            Some(PortError::NoCredentials { .. })
        ));
    }
}
