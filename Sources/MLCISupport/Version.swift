/// mlci's version: printed by `--version`, recorded in every verdict note.
public enum Version {
    public static let current = "0.1.0"
}
