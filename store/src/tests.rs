use super::*;
use nixie_eval::io::StdIo;
use nixie_eval::store::{add_path, add_text, FileIngestion};
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;

fn tree(dir: &Path) {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.txt"), "hello\n").unwrap();
    std::fs::write(dir.join("sub/run.sh"), "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(
        dir.join("sub/run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::os::unix::fs::symlink("a.txt", dir.join("link")).unwrap();
}

#[test]
fn added_tree_is_unpacked_read_only_and_registered() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    tree(&src);
    let store = LocalStore::new(tmp.path().join("root"), "/nix/store", true);
    let added = add_path(
        &StdIo,
        &store,
        &src,
        "src",
        FileIngestion::Recursive,
        None,
        true,
    )
    .unwrap();
    // C++ Nix 2.8: nix-store --add of the same tree.
    let phys = store.physical_path(Path::new(&added.path)).unwrap();
    assert_eq!(
        std::fs::read_to_string(phys.join("a.txt")).unwrap(),
        "hello\n"
    );
    assert_eq!(
        std::fs::read_link(phys.join("link")).unwrap(),
        Path::new("a.txt")
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&phys.join("sub/run.sh")), 0o555);
    assert_eq!(mode(&phys.join("a.txt")), 0o444);
    assert_eq!(mode(&phys), 0o555);
    assert!(store.is_valid(&added.path).unwrap());
    // The NAR of the copy is the NAR of the original.
    let again = nixie_eval::store::nar_sha256(&StdIo, &phys).unwrap();
    assert_eq!(again, added.sha256);
    // Adding again is a no-op, and nothing temporary is left.
    add_path(
        &StdIo,
        &store,
        &src,
        "src",
        FileIngestion::Recursive,
        None,
        true,
    )
    .unwrap();
    let names: Vec<_> = std::fs::read_dir(store.physical_store_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn text_references_are_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let store = LocalStore::new(tmp.path(), "/nix/store", true);
    let a = add_text(&store, "a", b"x", &BTreeSet::new(), true).unwrap();
    let refs: BTreeSet<String> = [a.clone()].into();
    let b = add_text(&store, "b", format!("see {a}").as_bytes(), &refs, true).unwrap();
    assert_eq!(store.references(&b).unwrap(), Some(refs));
    assert_eq!(store.references("/nix/store/none").unwrap(), None);
}

#[test]
fn read_only_store_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = LocalStore::new(tmp.path().join("root"), "/nix/store", false);
    let p = add_text(&store, "a", b"x", &BTreeSet::new(), true).unwrap();
    assert_eq!(p, "/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a");
    assert!(!tmp.path().join("root").exists());
    assert!(!store.is_valid(&p).unwrap());
}

#[test]
fn stale_unregistered_copy_is_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let store = LocalStore::new(tmp.path(), "/nix/store", true);
    let p = nixie_eval::store::text_path("a", b"x", &BTreeSet::new(), "/nix/store");
    let phys = store.physical_path(Path::new(&p)).unwrap();
    std::fs::create_dir_all(phys.parent().unwrap()).unwrap();
    std::fs::write(&phys, "half-written").unwrap();
    add_text(&store, "a", b"x", &BTreeSet::new(), true).unwrap();
    assert_eq!(std::fs::read(&phys).unwrap(), b"x");
}

#[test]
fn concurrent_additions_of_one_path_both_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let root = root.clone();
            std::thread::spawn(move || {
                let store = LocalStore::new(root, "/nix/store", true);
                add_text(&store, "same", b"contents", &BTreeSet::new(), true).unwrap()
            })
        })
        .collect();
    let paths: BTreeSet<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(paths.len(), 1);
    let store = LocalStore::new(root, "/nix/store", true);
    assert!(store.is_valid(paths.first().unwrap()).unwrap());
}

#[test]
fn malformed_archives_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = LocalStore::new(tmp.path(), "/nix/store", true);
    let mut nar = nixie_eval::store::nar_of_file(b"x", false);
    nar.truncate(nar.len() - 8);
    let refs = BTreeSet::new();
    let obj = StoreObject {
        path: "/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a",
        nar: &nar,
        references: &refs,
        ca: String::new(),
    };
    let err = store.add(&obj).unwrap_err();
    assert!(err.0.contains("bad archive"), "{err}");
    let left: Vec<_> = std::fs::read_dir(store.physical_store_dir())
        .unwrap()
        .collect();
    assert!(left.is_empty());
}
