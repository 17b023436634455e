//! What differs between the users' Windows PCs and the Linux machines we build on: owner-only
//! file protection, this machine's name, and whether a process still runs. Every layer but the
//! pure domain may use it; nothing here knows cases or screens.

mod owner_only;

pub use owner_only::{restrict_dir, restrict_file};

/// This machine's name (a lease's pid only says something about a process on the same machine).
pub fn host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}
