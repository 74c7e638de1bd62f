//! `identity new|list|default|token|remove|import`: the identities (tokens) the CLI keeps in
//! its configuration. A token is the only key to the databases its identity owns, so removing
//! one asks first, and an imported token is checked with the server before it is saved.

use super::commands::{confirm, Client};
use super::config::{Config, IdentityEntry};
use super::error::CliError;

/// `identity new`: asks the server for a new identity and saves it (as the default if asked,
/// or if there is none).
pub fn identity_new(
    config: &mut Config,
    server: Option<&str>,
    make_default: bool,
) -> Result<String, CliError> {
    let client = Client::new(config, server, true)?;
    let body = client.ok("POST", "/v1/identity", None, Vec::new())?;
    let v: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| CliError::UnexpectedReply(e.to_string()))?;
    let (Some(identity), Some(token)) = (
        v.get("identity").and_then(|i| i.as_str()),
        v.get("token").and_then(|t| t.as_str()),
    ) else {
        return Err(CliError::UnexpectedReply(body));
    };
    config.identities.push(IdentityEntry {
        identity: identity.to_owned(),
        token: token.to_owned(),
        server: client.url.clone(),
    });
    if make_default || config.default_identity.is_none() {
        config.default_identity = Some(identity.to_owned());
    }
    config.save()?;
    Ok(identity.to_owned())
}

/// `identity list`: one line per identity, `*` marking the default.
pub fn identity_list(config: &Config) -> String {
    let mut out = String::new();
    for i in &config.identities {
        let mark = if config.default_identity.as_deref() == Some(&i.identity) {
            "*"
        } else {
            " "
        };
        out.push_str(&format!("{mark} {}  {}\n", i.identity, i.server));
    }
    out
}

/// The saved identity `wanted` names (in full, or a prefix only it has), or the default one.
fn saved<'a>(config: &'a Config, wanted: Option<&str>) -> Result<&'a IdentityEntry, CliError> {
    let Some(wanted) = wanted else {
        return config.default_token().ok_or_else(|| {
            CliError::Usage(
                "there is no default identity\n  hint: `lightcone identity new`, or \
                 `lightcone identity default <identity>`"
                    .into(),
            )
        });
    };
    if let Some(exact) = config.identities.iter().find(|i| i.identity == wanted) {
        return Ok(exact);
    }
    let matching: Vec<&IdentityEntry> = config
        .identities
        .iter()
        .filter(|i| i.identity.starts_with(wanted))
        .collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(CliError::Usage(format!(
            "no saved identity `{wanted}`\n  hint: `lightcone identity list`"
        ))),
        _ => Err(CliError::Usage(format!(
            "`{wanted}` begins {} saved identities; give more of it",
            matching.len()
        ))),
    }
}

/// `identity default <identity>`.
pub fn identity_default(config: &mut Config, identity: &str) -> Result<(), CliError> {
    let found = saved(config, Some(identity))?.identity.clone();
    config.default_identity = Some(found);
    config.save()
}

/// `identity token [identity]`: the token (the default identity's unless named), for
/// `curl -H "Authorization: Bearer $(lightcone identity token)"` or another client.
pub fn identity_token(config: &Config, identity: Option<&str>) -> Result<String, CliError> {
    Ok(saved(config, identity)?.token.clone())
}

/// `identity remove <identity>`: forgets it (asking first: without its token, its databases
/// cannot be managed any more). Says what happened to the default.
pub fn identity_remove(config: &mut Config, identity: &str, yes: bool) -> Result<String, CliError> {
    let gone = saved(config, Some(identity))?.identity.clone();
    confirm(
        &format!(
            "Forget identity {gone}? Without its token, the databases it owns can no longer be \
             updated or deleted from here."
        ),
        yes,
    )?;
    config.identities.retain(|i| i.identity != gone);
    let was_default = config.default_identity.as_deref() == Some(gone.as_str());
    if was_default {
        config.default_identity = None;
    }
    config.save()?;
    Ok(if was_default {
        format!(
            "Removed identity {gone}. It was the default: choose another with `lightcone identity \
             default`, or the next command that needs one gets a new identity"
        )
    } else {
        format!("Removed identity {gone}")
    })
}

/// `identity import <token>`: saves a token issued elsewhere (another machine's `identity
/// token`), after the server said it is valid there and whose it is.
pub fn identity_import(
    config: &mut Config,
    server: Option<&str>,
    token: &str,
    make_default: bool,
) -> Result<String, CliError> {
    let token = token.trim();
    let identity = crate::auth::token::unverified_identity(token)
        .map_err(|why| CliError::Usage(format!("that is not a token: {why}")))?
        .to_hex();
    let client = Client::with_token(config, server, token.to_owned())?;
    let answer = client.send(
        "GET",
        &format!("/v1/identity/{identity}/verify"),
        None,
        Vec::new(),
    )?;
    if answer.status != 204 {
        return Err(CliError::Usage(format!(
            "{} does not accept the token ({}): {}",
            client.url,
            answer.status,
            answer.body.trim()
        )));
    }
    let entry = IdentityEntry {
        identity: identity.clone(),
        token: token.to_owned(),
        server: client.url.clone(),
    };
    let replaced = match config
        .identities
        .iter_mut()
        .find(|i| i.identity == identity)
    {
        Some(existing) => {
            *existing = entry;
            true
        }
        None => {
            config.identities.push(entry);
            false
        }
    };
    if make_default || config.default_identity.is_none() {
        config.default_identity = Some(identity.clone());
    }
    config.save()?;
    Ok(if replaced {
        format!("Identity {identity} was saved already: its token is replaced")
    } else {
        format!("Imported identity {identity}")
    })
}
