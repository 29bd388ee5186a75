import MLCIGit

extension Workspace {
    /// Every DVC output the `.dvc` files and `dvc.lock`s record: at `commit` (read through
    /// libgit2, no checkout), or in the working tree when `commit` is nil (what `dvc pull` reads).
    public func recordedDVCOutputs(at commit: ObjectID?) throws -> [DVCOutput] {
        if let commit { return try dvcOutputs(in: RevisionSnapshot(repository: repository, commit: commit)) }
        return try dvcOutputs(in: WorkingTreeSnapshot(workspace: self))
    }
}
