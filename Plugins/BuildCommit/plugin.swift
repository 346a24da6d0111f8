import Foundation
import PackagePlugin

/// Bakes the commit the binary is built from into `partyhub --version`: before every build,
/// `git rev-parse` in the package directory writes `BuildCommit.swift` (rewritten only when the
/// commit changes, so an unchanged tree does not recompile). No git, or not a clone (a source
/// tarball, or a copy inside another repository): the commit is `unknown`, never a guess. A tree with uncommitted changes to tracked
/// files gets `-dirty`.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let output = directory.appending(path: "BuildCommit.swift")
        let package = context.package.directoryURL.path
        let script = """
            mkdir -p "$(dirname "$2")"
            c=unknown
            # Only the package's own repository: a copy inside another one must not take its commit.
            top=$(git -C "$1" rev-parse --show-toplevel 2>/dev/null) || top=
            if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$1" && pwd -P)" ]; then
              c=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || c=unknown
            fi
            if [ "$c" != unknown ] && ! git -C "$1" diff --quiet HEAD -- 2>/dev/null; then c="$c-dirty"; fi
            printf '/// Generated before each build by the BuildCommit plugin.\\nlet buildCommit = "%s"\\n' "$c" > "$2.new"
            if cmp -s "$2.new" "$2"; then rm -f "$2.new"; else mv "$2.new" "$2"; fi
            """
        return [
            .prebuildCommand(
                displayName: "Recording the build commit",
                executable: URL(filePath: "/bin/sh"),
                arguments: ["-c", script, "build-commit", package, output.path],
                outputFilesDirectory: directory)
        ]
    }
}
