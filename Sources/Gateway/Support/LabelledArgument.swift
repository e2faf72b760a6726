import ArgumentParser
import XieshangLabels

/// Every Chinese-labelled enum is a command-line argument the same way: its Chinese label or
/// its English identifier (`--role 常委` or `--role standing-member`), listed in help as
/// both. A type becomes one with `extension T: ExpressibleByArgument {}`.
extension ExpressibleByArgument where Self: ChineseLabelled {
    public init?(argument: String) {
        guard let value = Self(parsing: argument) ?? Self(parsing: argument.lowercased()) else { return nil }
        self = value
    }

    public static var allValueStrings: [String] { labelledValues }
}
