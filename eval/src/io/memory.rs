//! [`MemoryIo`]: a file system and environment held in memory, for tests and for
//! embedders that evaluate against a virtual tree.

use super::{FileKind, Io};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// One entry of a [`MemoryIo`] tree.
#[derive(Clone, Debug)]
enum Node {
    File { contents: Vec<u8>, executable: bool },
    Dir,
    Symlink(PathBuf),
    Other,
}

/// An in-memory file system (absolute paths, parents made as needed), with its
/// own environment and working directory. Symlinks are followed when reading.
#[derive(Clone, Debug, Default)]
pub struct MemoryIo {
    nodes: BTreeMap<PathBuf, Node>,
    env: BTreeMap<String, String>,
    cwd: PathBuf,
}

fn not_found(p: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("'{}': No such file or directory", p.display()),
    )
}

impl MemoryIo {
    /// An empty tree (just `/`), working directory `/`.
    pub fn new() -> MemoryIo {
        let mut io = MemoryIo {
            cwd: PathBuf::from("/"),
            ..MemoryIo::default()
        };
        io.nodes.insert(PathBuf::from("/"), Node::Dir);
        io
    }

    fn insert(&mut self, path: &str, node: Node) -> &mut Self {
        let p = PathBuf::from(path);
        let mut dir = p.parent();
        while let Some(d) = dir {
            self.nodes.entry(d.to_path_buf()).or_insert(Node::Dir);
            dir = d.parent();
        }
        self.nodes.insert(p, node);
        self
    }

    /// Add a regular file.
    pub fn file(&mut self, path: &str, contents: impl Into<Vec<u8>>) -> &mut Self {
        let contents = contents.into();
        self.insert(
            path,
            Node::File {
                contents,
                executable: false,
            },
        )
    }

    /// Add an executable file.
    pub fn executable(&mut self, path: &str, contents: impl Into<Vec<u8>>) -> &mut Self {
        let contents = contents.into();
        self.insert(
            path,
            Node::File {
                contents,
                executable: true,
            },
        )
    }

    /// Add a directory.
    pub fn dir(&mut self, path: &str) -> &mut Self {
        self.insert(path, Node::Dir)
    }

    /// Add a symbolic link to `target`.
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.insert(path, Node::Symlink(PathBuf::from(target)))
    }

    /// Add something that is neither file, directory nor link (a FIFO, a socket).
    pub fn special(&mut self, path: &str) -> &mut Self {
        self.insert(path, Node::Other)
    }

    /// Set an environment variable.
    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// Set the working directory.
    pub fn cwd(&mut self, dir: &str) -> &mut Self {
        self.cwd = PathBuf::from(dir);
        self
    }

    /// `p` with every symlink on the way resolved (at most 40 links).
    fn resolve(&self, p: &Path) -> std::io::Result<PathBuf> {
        let mut todo = crate::paths::names_reversed(p);
        let mut at = PathBuf::from("/");
        let mut links = 0;
        while let Some(c) = todo.pop() {
            if c == ".." {
                at.pop();
                continue;
            }
            let next = at.join(&c);
            match self.nodes.get(&next) {
                Some(Node::Symlink(t)) => {
                    links += 1;
                    if links > 40 {
                        return Err(std::io::Error::other("too many levels of symbolic links"));
                    }
                    if t.is_absolute() {
                        at = PathBuf::from("/");
                    }
                    todo.extend(crate::paths::names_reversed(t));
                }
                Some(_) => at = next,
                None => return Err(not_found(p)),
            }
        }
        Ok(at)
    }

    fn node(&self, p: &Path) -> std::io::Result<&Node> {
        let real = self.resolve(p)?;
        self.nodes.get(&real).ok_or_else(|| not_found(p))
    }

    /// The entry at `p` itself, its parent resolved.
    fn lnode(&self, p: &Path) -> std::io::Result<&Node> {
        let parent = p.parent().map(|d| self.resolve(d)).transpose()?;
        let own = match (parent, p.file_name()) {
            (Some(d), Some(n)) => d.join(n),
            _ => PathBuf::from("/"),
        };
        self.nodes.get(&own).ok_or_else(|| not_found(p))
    }
}

impl Io for MemoryIo {
    fn file_kind(&self, path: &Path) -> std::io::Result<FileKind> {
        Ok(match self.lnode(path)? {
            Node::File { executable, .. } => FileKind::Regular {
                executable: *executable,
            },
            Node::Dir => FileKind::Directory,
            Node::Symlink(_) => FileKind::Symlink,
            Node::Other => FileKind::Other,
        })
    }
    fn read_dir_names(&self, path: &Path) -> std::io::Result<Vec<OsString>> {
        let dir = self.resolve(path)?;
        if !matches!(self.nodes.get(&dir), Some(Node::Dir)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "Not a directory",
            ));
        }
        Ok(self
            .nodes
            .range(dir.clone()..)
            .skip(1)
            .take_while(|(p, _)| p.starts_with(&dir))
            .filter(|(p, _)| p.parent() == Some(dir.as_path()))
            .filter_map(|(p, _)| p.file_name().map(|n| n.to_os_string()))
            .collect())
    }
    fn read_link(&self, path: &Path) -> std::io::Result<PathBuf> {
        match self.lnode(path)? {
            Node::Symlink(t) => Ok(t.clone()),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a symlink",
            )),
        }
    }
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match self.node(path)? {
            Node::File { contents, .. } => Ok(contents.clone()),
            Node::Dir => Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "Is a directory",
            )),
            _ => Err(std::io::Error::other("not a regular file")),
        }
    }
    fn path_exists(&self, path: &Path) -> bool {
        self.lnode(path).is_ok()
    }
    fn is_dir(&self, path: &Path) -> bool {
        matches!(self.node(path), Ok(Node::Dir))
    }
    fn current_dir(&self) -> PathBuf {
        self.cwd.clone()
    }
    fn env_var(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }
}
