//! The Okta org the mock plays: who it knows and which faults are on,
//! shared by its authorization servers, each with its own issuer,
//! keys, codes and tokens.
//!
//! As in Okta: the *org authorization server* (issuer `{base}`, endpoints
//! `{base}/oauth2/v1/…`) and *custom authorization servers* (issuer
//! `{base}/oauth2/{name}`, endpoints `{issuer}/v1/…`). A token or code of
//! one is unknown to the others; the login (the mock's cookie) is org-wide.

use crate::claims::{Groups, GroupsClaim, Shape};
use crate::clients::Client;
use crate::clock::Clock;
use crate::faults::Fault;
use crate::scopes::{Declared, Scopes};
use crate::store::{Code, Login, Memory, Token};
use crate::tokens::{KeyName, KeyPhase, Keys};
use crate::users::User;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// How long `/v1/keys` says its keys may be kept, unless `keys-max-age`
/// says otherwise: a day.
const KEYS_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// Everything the authorization servers share.
#[derive(Debug)]
pub(crate) struct Org {
    /// `http://{host}:{port}`: the org's URL, and its authorization
    /// server's issuer.
    pub base: String,
    /// The time codes, tokens and logins expire by.
    pub clock: Arc<Clock>,
    clients: RwLock<Vec<Client>>,
    users: RwLock<Vec<User>>,
    faults: RwLock<Vec<Fault>>,
    /// The Okta user ids of the users deactivated since the start (Okta's
    /// status `DEPROVISIONED`): they cannot log in.
    deactivated: RwLock<Vec<String>>,
    pub logins: Memory<Login>,
    /// What it started with, for [`Org::reset`].
    start: Start,
}

/// The clients, users and faults a mock started with.
#[derive(Debug)]
struct Start {
    clients: Vec<Client>,
    users: Vec<User>,
    faults: Vec<Fault>,
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

impl Org {
    pub(crate) fn new(
        base: String,
        clients: Vec<Client>,
        users: Vec<User>,
        faults: Vec<Fault>,
    ) -> Self {
        let clock = Arc::new(Clock::default());
        let users: Vec<User> = users.into_iter().map(User::registered).collect();
        Org {
            base,
            clients: RwLock::new(clients.clone()),
            users: RwLock::new(users.clone()),
            faults: RwLock::new(faults.clone()),
            deactivated: RwLock::new(Vec::new()),
            logins: Memory::new(clock.clone()),
            clock,
            start: Start {
                clients,
                users,
                faults,
            },
        }
    }

    /// Back to the clients, users and faults it started with (every user
    /// active), its clock to the system's time, every login forgotten.
    pub(crate) fn reset(&self) {
        *write(&self.clients) = self.start.clients.clone();
        *write(&self.users) = self.start.users.clone();
        write(&self.deactivated).clear();
        *write(&self.faults) = self.start.faults.clone();
        self.logins.forget(|_| true);
        self.clock.reset();
    }

    pub(crate) fn client(&self, id: &str) -> Option<Client> {
        read(&self.clients).iter().find(|c| c.id == id).cloned()
    }

    pub(crate) fn clients(&self) -> Vec<Client> {
        read(&self.clients).clone()
    }

    /// Registers a client, or replaces the one with its id (in its place).
    /// Whether it replaced one.
    pub(crate) fn add_client(&self, client: Client) -> bool {
        let mut clients = write(&self.clients);
        match clients.iter_mut().find(|c| c.id == client.id) {
            Some(known) => {
                *known = client;
                true
            }
            None => {
                clients.push(client);
                false
            }
        }
    }

    /// Unregisters a client: the one removed, if it was known.
    pub(crate) fn remove_client(&self, id: &str) -> Option<Client> {
        let mut clients = write(&self.clients);
        let at = clients.iter().position(|c| c.id == id)?;
        Some(clients.remove(at))
    }

    /// The user whose email this is (in any case).
    pub(crate) fn user(&self, email: &str) -> Option<User> {
        read(&self.users)
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .cloned()
    }

    /// The user with this Okta user id (`00u…`, the `sub` claim).
    pub(crate) fn user_by_id(&self, id: &str) -> Option<User> {
        read(&self.users).iter().find(|u| u.id() == id).cloned()
    }

    /// The user with this email (in any case) or Okta user id (`00u…`).
    pub(crate) fn user_by_key(&self, key: &str) -> Option<User> {
        read(&self.users).iter().find(|u| u.is(key)).cloned()
    }

    pub(crate) fn users(&self) -> Vec<User> {
        read(&self.users).clone()
    }

    /// Adds a user, or replaces the one with its Okta user id, or else its
    /// email (in its place). A user added keeps the id it was given or
    /// made at its first registration, whatever its email becomes. Whether
    /// it replaced one.
    ///
    /// # Errors
    /// Another user (another id) has its email.
    pub(crate) fn add_user(&self, user: User) -> Result<bool, String> {
        let user = user.registered();
        let mut users = write(&self.users);
        let id = user.id();
        if let Some(other) = users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(&user.email) && u.id() != id)
        {
            return Err(format!(
                "email: {:?} is the email of another user ({}): a login names one user",
                user.email,
                other.id()
            ));
        }
        match users.iter_mut().find(|u| u.id() == id) {
            Some(known) => {
                *known = user;
                Ok(true)
            }
            None => {
                users.push(user);
                Ok(false)
            }
        }
    }

    /// Removes a user (by email or Okta user id): the one removed, if
    /// known. A user added again with its id starts active.
    pub(crate) fn remove_user(&self, key: &str) -> Option<User> {
        let mut users = write(&self.users);
        let at = users.iter().position(|u| u.is(key))?;
        let removed = users.remove(at);
        self.set_active(&removed.id(), true);
        Some(removed)
    }

    /// Whether the user with this Okta user id is active (not deactivated).
    pub(crate) fn is_active(&self, user_id: &str) -> bool {
        !read(&self.deactivated).iter().any(|id| id == user_id)
    }

    /// Activates or deactivates the user with this Okta user id: whether
    /// that changed its status.
    pub(crate) fn set_active(&self, user_id: &str, active: bool) -> bool {
        let mut deactivated = write(&self.deactivated);
        let was_active = !deactivated.iter().any(|id| id == user_id);
        if active {
            deactivated.retain(|id| id != user_id);
        } else if was_active {
            deactivated.push(user_id.to_string());
        }
        was_active != active
    }

    /// The first fault that `pick` selects, if any is on.
    pub(crate) fn fault<T>(&self, pick: impl Fn(&Fault) -> Option<T>) -> Option<T> {
        read(&self.faults).iter().find_map(pick)
    }

    pub(crate) fn has_fault(&self, fault: &Fault) -> bool {
        read(&self.faults).contains(fault)
    }

    pub(crate) fn faults(&self) -> Vec<Fault> {
        read(&self.faults).clone()
    }

    /// Switches a fault on, replacing one of its kind.
    pub(crate) fn set_fault(&self, fault: Fault) {
        let mut faults = write(&self.faults);
        faults.retain(|f| !f.same_kind(&fault));
        faults.push(fault);
    }

    /// Switches off the fault of this kind.
    pub(crate) fn clear_fault(&self, fault: &Fault) {
        write(&self.faults).retain(|f| !f.same_kind(fault));
    }

    pub(crate) fn clear_faults(&self) {
        write(&self.faults).clear();
    }

    /// Where the signing keys are in their rotation, from the faults on:
    /// `key-withdrawn`, else `rotate-keys`, else `next-key-published`.
    pub(crate) fn key_phase(&self) -> KeyPhase {
        if self.has_fault(&Fault::KeyWithdrawn) {
            KeyPhase::Withdrawn
        } else if self.has_fault(&Fault::RotateKeys) {
            KeyPhase::Rotated
        } else if self.has_fault(&Fault::NextKeyPublished) {
            KeyPhase::NextPublished
        } else {
            KeyPhase::Current
        }
    }

    /// How long `/v1/keys` says its keys may be kept: a day, unless
    /// `keys-max-age` says otherwise.
    pub(crate) fn keys_max_age(&self) -> Duration {
        self.fault(|f| match f {
            Fault::KeysMaxAge(age) => Some(*age),
            _ => None,
        })
        .unwrap_or(KEYS_MAX_AGE)
    }
}

/// A custom authorization server, as its admin sets it up in Okta's
/// console: a name, an audience, custom scopes and a `groups` claim. A
/// mock serves one (`default`, unless [`Builder::auth_server`] names
/// another) and up to three more ([`Builder::custom_server`]), each with
/// its own issuer `{org}/oauth2/{name}`, discovery document, keys, codes
/// and tokens: a token of one is refused by the others, as in an Okta org
/// with one authorization server per API.
///
/// [`Builder::auth_server`]: crate::Builder::auth_server
/// [`Builder::custom_server`]: crate::Builder::custom_server
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomServer {
    /// Its name: its issuer ends `/oauth2/{name}`.
    pub name: String,
    /// The `aud` of its access tokens (default `api://{name}`, as Okta's
    /// default server's `api://default`).
    pub audience: String,
    /// The custom scopes declared on it (default: none).
    pub scopes: Vec<String>,
    /// Whether a `groups` claim was added to it (in the ID token, always,
    /// every group): the default, as for the mock's first server.
    pub groups_claim: bool,
}

impl CustomServer {
    /// A server named `name`, with the audience `api://{name}`, no custom
    /// scopes, and a `groups` claim.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        CustomServer {
            audience: format!("api://{name}"),
            name,
            scopes: Vec::new(),
            groups_claim: true,
        }
    }

    /// The `aud` of its access tokens.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Declares a custom scope on it (repeatable).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        if !self.scopes.contains(&scope) {
            self.scopes.push(scope);
        }
        self
    }

    /// Whether it has a `groups` claim.
    pub fn groups_claim(mut self, on: bool) -> Self {
        self.groups_claim = on;
        self
    }
}

/// One of the org's authorization servers, as its handlers see it.
#[derive(Debug)]
pub(crate) struct AuthServer {
    pub org: Arc<Org>,
    /// The `iss` of its tokens and discovery documents.
    pub issuer: String,
    /// The path its discovery documents live under: `` (the org server)
    /// or `/oauth2/{name}`.
    pub metadata_path: String,
    /// The path its endpoints live under: `/oauth2/v1` or `/oauth2/{name}/v1`.
    pub endpoint_path: String,
    /// The `aud` of its access tokens.
    pub audience: String,
    /// Whether this is the org authorization server.
    pub is_org: bool,
    /// The scopes it knows.
    pub scopes: Scopes,
    /// Where it puts the user's groups.
    pub groups: Groups,
    pub keys: Keys,
    pub codes: Memory<Code>,
    pub tokens: Memory<Token>,
}

impl AuthServer {
    /// The org authorization server: issuer `{base}`, endpoints under
    /// `{base}/oauth2/v1`, access tokens for Okta's own APIs (`aud` is the
    /// org's URL).
    pub(crate) fn org(org: Arc<Org>) -> Self {
        let base = org.base.clone();
        AuthServer {
            issuer: base.clone(),
            metadata_path: String::new(),
            endpoint_path: "/oauth2/v1".into(),
            audience: base,
            is_org: true,
            scopes: Scopes::Org,
            groups: Groups::Scope,
            keys: Keys::new(KeyName::Org1, KeyName::Org2),
            codes: Memory::new(org.clock.clone()),
            tokens: Memory::new(org.clock.clone()),
            org,
        }
    }

    /// A custom authorization server: issuer `{base}/oauth2/{name}`,
    /// endpoints under `{issuer}/v1`, access tokens for its audience,
    /// signed with `keys`.
    pub(crate) fn custom(org: Arc<Org>, setup: &CustomServer, keys: Keys) -> Self {
        let path = format!("/oauth2/{}", setup.name);
        AuthServer {
            issuer: format!("{}{path}", org.base),
            endpoint_path: format!("{path}/v1"),
            metadata_path: path,
            audience: setup.audience.clone(),
            is_org: false,
            scopes: Scopes::Custom(Declared::new(setup.scopes.clone())),
            groups: if setup.groups_claim {
                Groups::Claim
            } else {
                Groups::Off
            },
            keys,
            codes: Memory::new(org.clock.clone()),
            tokens: Memory::new(org.clock.clone()),
            org,
        }
    }

    /// How it answers a user's groups now: where its setup puts them, as
    /// the groups faults change that (`groups-claim-missing`: nowhere;
    /// `groups-claim-needs-scope`: a custom server's claim with the
    /// `groups` scope only), and at most how many (`groups-limit`).
    pub(crate) fn groups_claim(&self) -> GroupsClaim {
        let org = &self.org;
        if org.has_fault(&Fault::GroupsClaimMissing) {
            return Groups::Off.into();
        }
        let place = match self.groups {
            Groups::Claim if org.has_fault(&Fault::GroupsClaimNeedsScope) => Groups::ClaimWithScope,
            place => place,
        };
        let limit = org.fault(|f| match f {
            Fault::GroupsLimit(most) => Some(*most),
            _ => None,
        });
        let shape = if org.has_fault(&Fault::GroupsClaimString) {
            Shape::One
        } else if org.has_fault(&Fault::GroupsClaimObjects) {
            Shape::Objects
        } else {
            Shape::List
        };
        GroupsClaim {
            place,
            limit,
            shape,
        }
    }

    /// Whether a custom server declares a `groups` scope now: when its
    /// groups claim is included with that scope only (the org server
    /// always knows `groups`).
    pub(crate) fn declares_groups_scope(&self) -> bool {
        self.groups_claim().place == Groups::ClaimWithScope
    }

    /// The URL of one endpoint, e.g. `endpoint("token")`.
    pub(crate) fn endpoint(&self, name: &str) -> String {
        format!("{}{}/{name}", self.org.base, self.endpoint_path)
    }

    /// Forgets every code and token of a user (by Okta user id) or, for
    /// `None`, every one.
    pub(crate) fn forget_user(&self, user_id: Option<&str>) {
        self.codes
            .forget(|c| user_id.is_none_or(|id| c.user_id == id));
        self.tokens
            .forget(|t| user_id.is_none_or(|id| t.user_id.as_deref() == Some(id)));
    }

    /// Forgets every code and token issued to a client.
    pub(crate) fn forget_client(&self, client_id: &str) {
        self.codes.forget(|c| c.client_id == client_id);
        self.tokens.forget(|t| t.client_id == client_id);
    }

    /// Back to how it started: its declared scopes, no code, no token.
    pub(crate) fn reset(&self) {
        if let Scopes::Custom(declared) = &self.scopes {
            declared.reset();
        }
        self.forget_user(None);
    }

    /// Forgets every token issued from one authorization code.
    pub(crate) fn revoke_grant(&self, grant: &str) {
        self.tokens.forget(|t| t.grant.as_deref() == Some(grant));
    }
}
