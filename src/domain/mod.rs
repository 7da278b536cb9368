//! Pure types parsed once at the edge. A value of these types is valid by construction, so
//! services and queries never re-check it. No I/O here.

pub mod display_name;
pub mod email;
pub mod ids;
pub mod language;
pub mod language_names;
pub mod password;
pub mod role;
pub mod text;
pub mod time;
pub mod whole;

pub use display_name::DisplayName;
pub use email::Email;
pub use ids::{UserId, new_id};
pub use password::Password;
pub use role::Role;
