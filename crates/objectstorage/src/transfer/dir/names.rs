//! Object names as local paths: a name (less the prefix) becomes a relative path of plain
//! segments, or is refused with an [`UnsafeName`] when it could land outside the directory.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// Why an object name was not written to disk: it could land outside the directory, or it is
/// not a plain relative path. The failure of one object of a
/// [`DirDownload`](crate::transfer::DirDownload) ([`ObjectOutcome::Refused`](crate::transfer::ObjectOutcome::Refused)).
///
/// ```
/// use oci_objectstorage::transfer::{UnsafeName, UnsafeReason};
/// let e = UnsafeName { name: "../etc/passwd".into(), reason: UnsafeReason::DotSegment };
/// assert!(e.to_string().contains("../etc/passwd"));
/// let _: &dyn std::error::Error = &e;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeName {
    /// The object's full name.
    pub name: String,
    /// What is wrong with it.
    pub reason: UnsafeReason,
}

/// What makes an object name unsafe as a local path (see [`UnsafeName`]).
///
/// ```
/// use oci_objectstorage::transfer::UnsafeReason;
/// assert_eq!(UnsafeReason::Absolute.to_string(), "it starts with `/`");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsafeReason {
    /// Nothing is left once the prefix is removed.
    Empty,
    /// It starts with `/` (after the prefix).
    Absolute,
    /// A segment is empty (`a//b`, or a trailing `/` on an object with content).
    EmptySegment,
    /// A segment is `.` or `..`.
    DotSegment,
    /// A segment holds a character no portable file name may: `\`, NUL (and `:` on Windows).
    ForbiddenChar(char),
    /// Its directory resolves outside the target directory (through a symbolic link).
    OutsideDir,
}

impl fmt::Display for UnsafeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafeReason::Empty => f.write_str("nothing is left once the prefix is removed"),
            UnsafeReason::Absolute => f.write_str("it starts with `/`"),
            UnsafeReason::EmptySegment => f.write_str("it has an empty path segment"),
            UnsafeReason::DotSegment => f.write_str("it has a `.` or `..` path segment"),
            UnsafeReason::ForbiddenChar(c) => write!(f, "it holds the character {c:?}"),
            UnsafeReason::OutsideDir => {
                f.write_str("its directory is outside the target directory")
            }
        }
    }
}

impl fmt::Display for UnsafeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "object {:?} is not downloaded: {}",
            self.name, self.reason
        )
    }
}

impl std::error::Error for UnsafeName {}

/// Where an object goes, relative to the directory.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Local {
    /// A file.
    File(PathBuf),
    /// A directory: an empty object whose name ends with `/` (a console "folder").
    Folder(PathBuf),
}

/// The relative path of object `name` listed under `prefix`, or why it is refused.
pub(super) fn local_path(name: &str, prefix: &str, size: u64) -> Result<Local, UnsafeName> {
    let refuse = |reason| UnsafeName {
        name: name.to_owned(),
        reason,
    };
    let rel = name.strip_prefix(prefix).unwrap_or(name);
    let (body, folder) = match rel.strip_suffix('/') {
        Some(b) if size == 0 => (b, true),
        Some(_) => return Err(refuse(UnsafeReason::EmptySegment)),
        None => (rel, false),
    };
    if body.is_empty() {
        // `rel` is empty for the object named the prefix itself: the directory's own marker.
        return if folder || (name.ends_with('/') && size == 0) {
            Ok(Local::Folder(PathBuf::new()))
        } else {
            Err(refuse(UnsafeReason::Empty))
        };
    }
    if body.starts_with('/') {
        return Err(refuse(UnsafeReason::Absolute));
    }
    let mut path = PathBuf::new();
    for seg in body.split('/') {
        check_segment(seg).map_err(refuse)?;
        path.push(seg);
    }
    Ok(if folder {
        Local::Folder(path)
    } else {
        Local::File(path)
    })
}

fn check_segment(seg: &str) -> Result<(), UnsafeReason> {
    if seg.is_empty() {
        return Err(UnsafeReason::EmptySegment);
    }
    if seg == "." || seg == ".." {
        return Err(UnsafeReason::DotSegment);
    }
    let forbidden = |c: char| c == '\\' || c == '\0' || (cfg!(windows) && c == ':');
    if let Some(c) = seg.chars().find(|c| forbidden(*c)) {
        return Err(UnsafeReason::ForbiddenChar(c));
    }
    // Whatever else the platform reads into a name: it must stay one plain segment.
    let mut comps = Path::new(seg).components();
    match (comps.next(), comps.next()) {
        (Some(Component::Normal(_)), None) => Ok(()),
        _ => Err(UnsafeReason::DotSegment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str) -> Result<Local, UnsafeName> {
        Ok(Local::File(PathBuf::from_iter(p.split('/'))))
    }

    fn reason(name: &str, prefix: &str, size: u64) -> UnsafeReason {
        match local_path(name, prefix, size) {
            Err(e) => e.reason,
            Ok(l) => panic!("{name} accepted as {l:?}"),
        }
    }

    #[test]
    fn plain_names_become_relative_paths() {
        assert_eq!(local_path("p/a/b.txt", "p/", 3), file("a/b.txt"));
        assert_eq!(local_path("p/x", "p/", 0), file("x"));
        assert_eq!(local_path("a..b/.c", "", 1), file("a..b/.c"));
        assert_eq!(
            local_path("p/photos/", "p/", 0),
            Ok(Local::Folder(PathBuf::from("photos")))
        );
        assert_eq!(local_path("p/", "p/", 0), Ok(Local::Folder(PathBuf::new())));
    }

    #[test]
    fn escaping_names_are_refused() {
        assert_eq!(reason("p/../x", "p/", 1), UnsafeReason::DotSegment);
        assert_eq!(reason("p/a/../../x", "p/", 1), UnsafeReason::DotSegment);
        assert_eq!(reason("p/./x", "p/", 1), UnsafeReason::DotSegment);
        assert_eq!(reason("p//etc/passwd", "p/", 1), UnsafeReason::Absolute);
        assert_eq!(reason("/etc/passwd", "", 1), UnsafeReason::Absolute);
        assert_eq!(reason("p/a//b", "p/", 1), UnsafeReason::EmptySegment);
        assert_eq!(reason("p/a/", "p/", 5), UnsafeReason::EmptySegment);
        assert_eq!(reason("p", "p", 1), UnsafeReason::Empty);
        assert_eq!(
            reason("p/a\\..\\..\\x", "p/", 1),
            UnsafeReason::ForbiddenChar('\\')
        );
        assert_eq!(reason("p/a\0b", "p/", 1), UnsafeReason::ForbiddenChar('\0'));
    }
}
