# Sourced by the before/after scripts: checks out REV as a git worktree at artifacts/before-tree and sets $tree to it.
# A worktree left at the same commit by an earlier run is reused with its builds (remove it with `git worktree remove`).
checkout_before_tree() {
    tree=$PWD/artifacts/before-tree
    if [[ $(git -C "$tree" rev-parse HEAD 2>/dev/null) != $(git rev-parse "$1") ]]; then
        git worktree remove --force "$tree" 2>/dev/null || true
        git worktree add --detach "$tree" "$1" >/dev/null
    fi
}
