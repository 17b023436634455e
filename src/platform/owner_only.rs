//! Children's data: files and folders shinko creates are readable by their owner only.
//!
//! On unix that is mode 0600 (files) and 0700 (folders). On Windows it is a protected DACL with
//! one entry, full control for the current user: inherited entries (Users, Authenticated Users
//! on a shared folder) are dropped, so other accounts on the PC cannot read the file, while
//! administrators can still take ownership, as on unix root can read anything. Volumes without
//! ACLs (FAT32/exFAT USB sticks) cannot carry this; see docs/windows.md.

use std::io;
use std::path::Path;

/// Makes `path` (a file) readable and writable by its owner only.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    imp::restrict(path, false)
}

/// Makes `path` (a folder) usable by its owner only; what is created inside inherits that.
pub fn restrict_dir(path: &Path) -> io::Result<()> {
    imp::restrict(path, true)
}

#[cfg(unix)]
mod imp {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    pub fn restrict(path: &Path, dir: bool) -> std::io::Result<()> {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(if dir { 0o700 } else { 0o600 }))
    }
}

#[cfg(windows)]
mod imp {
    use std::ffi::c_void;
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;

    use windows_sys::Win32::Foundation::{CloseHandle, ERROR_SUCCESS, GENERIC_ALL, HANDLE, LocalFree};
    use windows_sys::Win32::Security::Authorization::{
        EXPLICIT_ACCESS_W, NO_MULTIPLE_TRUSTEE, SE_FILE_OBJECT, SET_ACCESS, SetEntriesInAclW, SetNamedSecurityInfoW,
        TRUSTEE_IS_SID, TRUSTEE_IS_USER, TRUSTEE_W,
    };
    use windows_sys::Win32::Security::{
        ACL, DACL_SECURITY_INFORMATION, GetTokenInformation, NO_INHERITANCE, PROTECTED_DACL_SECURITY_INFORMATION,
        SUB_CONTAINERS_AND_OBJECTS_INHERIT, TOKEN_QUERY, TOKEN_USER, TokenUser,
    };
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    fn os_error(code: u32) -> std::io::Error {
        std::io::Error::from_raw_os_error(code as i32)
    }

    /// The current user's TOKEN_USER, in a buffer that holds its SID.
    fn token_user() -> std::io::Result<Vec<u64>> {
        let mut token: HANDLE = std::ptr::null_mut();
        // SAFETY: the pseudo handle of the current process is always valid; `token` receives a
        // handle we close below.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut len = 0u32;
        // SAFETY: a size query with no buffer; `len` receives the size needed.
        unsafe { GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut len) };
        // u64 words keep the buffer aligned for TOKEN_USER.
        let mut buf = vec![0u64; (len as usize).div_ceil(8).max(1)];
        // SAFETY: the buffer is at least `len` bytes.
        let ok = unsafe { GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), len, &mut len) };
        let err = std::io::Error::last_os_error();
        // SAFETY: `token` was opened above.
        unsafe { CloseHandle(token) };
        if ok == 0 { Err(err) } else { Ok(buf) }
    }

    pub fn restrict(path: &Path, dir: bool) -> std::io::Result<()> {
        let user = token_user()?;
        // SAFETY: `user` holds a TOKEN_USER written by GetTokenInformation.
        let sid = unsafe { (*user.as_ptr().cast::<TOKEN_USER>()).User.Sid };
        let access = EXPLICIT_ACCESS_W {
            grfAccessPermissions: GENERIC_ALL,
            grfAccessMode: SET_ACCESS,
            grfInheritance: if dir { SUB_CONTAINERS_AND_OBJECTS_INHERIT } else { NO_INHERITANCE },
            Trustee: TRUSTEE_W {
                pMultipleTrustee: std::ptr::null_mut(),
                MultipleTrusteeOperation: NO_MULTIPLE_TRUSTEE,
                TrusteeForm: TRUSTEE_IS_SID,
                TrusteeType: TRUSTEE_IS_USER,
                ptstrName: sid.cast(),
            },
        };
        let mut acl: *mut ACL = std::ptr::null_mut();
        // SAFETY: one entry, no old ACL; `acl` receives a LocalAlloc'ed ACL freed below.
        let rc = unsafe { SetEntriesInAclW(1, &access, std::ptr::null(), &mut acl) };
        if rc != ERROR_SUCCESS {
            return Err(os_error(rc));
        }
        let wide: Vec<u16> = path.as_os_str().encode_wide().chain(std::iter::once(0)).collect();
        // SAFETY: `wide` is NUL-terminated; the ACL is valid until freed after the call.
        let rc = unsafe {
            SetNamedSecurityInfoW(
                wide.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                acl,
                std::ptr::null(),
            )
        };
        // SAFETY: allocated by SetEntriesInAclW.
        unsafe { LocalFree(acl as *mut c_void) };
        if rc != ERROR_SUCCESS { Err(os_error(rc)) } else { Ok(()) }
    }
}

#[cfg(not(any(unix, windows)))]
mod imp {
    pub fn restrict(_path: &std::path::Path, _dir: bool) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn files_and_folders_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "x").unwrap();
        super::restrict_file(&f).unwrap();
        super::restrict_dir(dir.path()).unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(dir.path()).unwrap().permissions().mode() & 0o777, 0o700);
    }
}
