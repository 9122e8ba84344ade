import Crypto
import FoundationEssentials

// MARK: - ManifestLabels

/// The label keys and values that mark what `install-cronjob` created.
public enum ManifestLabels {
    /// `app.kubernetes.io/name`.
    public static let name = "app.kubernetes.io/name"
    /// `app.kubernetes.io/instance` (the gateway).
    public static let instance = "app.kubernetes.io/instance"
    /// `app.kubernetes.io/managed-by`; `--uninstall` selects by it.
    public static let managedBy = "app.kubernetes.io/managed-by"
    /// `app.kubernetes.io/component`.
    public static let component = "app.kubernetes.io/component"
    /// `app.kubernetes.io/version`.
    public static let version = "app.kubernetes.io/version"
    /// `apimtoken.kubectl-plugin/secret` on the CronJob: `status` finds a gateway's CronJob by its token Secret.
    public static let secret = "apimtoken.kubectl-plugin/secret"

    /// The value of `app.kubernetes.io/name` and `app.kubernetes.io/managed-by`.
    public static let product = "kubectl-apimtoken"
    /// The value of `app.kubernetes.io/component`.
    public static let componentValue = "token-rotation"

    /// The labels every installed object carries.
    public static func common(gateway: String) -> [String: String] {
        [
            name: product,
            instance: ManifestNames.labelValue(gateway),
            managedBy: product,
            component: componentValue,
        ]
    }

    /// The selector `--uninstall` deletes by: managed by this tool, for this gateway.
    public static func selector(gateway: String) -> String {
        "\(managedBy)=\(product),\(instance)=\(ManifestNames.labelValue(gateway))"
    }

    /// The selector `status` finds the CronJob of a token Secret by.
    public static func cronJobSelector(secret: String) -> String {
        "\(managedBy)=\(product),\(self.secret)=\(ManifestNames.labelValue(secret))"
    }
}

// MARK: - ManifestNames

/// Object names and label values that the API server accepts, derived from user input.
public enum ManifestNames {
    /// The longest CronJob name: the controller appends `-<minutes>` (11 characters) to make Job names of at most 63.
    public static let maxCronJobName = 52
    /// The longest label value.
    public static let maxLabelValue = 63

    /// The name shared by the ServiceAccount, Role, RoleBinding and CronJob: `apimtoken-<gateway>`, a DNS-1123
    /// label of at most 52 characters.
    public static func base(gateway: String) -> String {
        dns1123Label("apimtoken-\(gateway)", maxLength: maxCronJobName)
    }

    /// `text` as a DNS-1123 label (lower-case alphanumerics and `-`, starting and ending alphanumeric) of at most
    /// `maxLength` characters.
    ///
    /// Upper case is lowered (Azure names are case-insensitive). When anything else had to change, or the name was
    /// too long, the result ends in `-` and 8 hex digits of the SHA-256 of the original, so that two different
    /// inputs do not collapse into one name.
    public static func dns1123Label(_ text: String, maxLength: Int = 63) -> String {
        let lowered = text.lowercased()
        var mapped = ""
        var previousHyphen = false
        for scalar in lowered.unicodeScalars {
            let keep = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
            if keep {
                mapped.unicodeScalars.append(scalar)
                previousHyphen = false
            } else if !previousHyphen {
                mapped.append("-")
                previousHyphen = true
            }
        }
        let trimmed = mapped.trimming(while: { $0 == "-" })
        if trimmed == lowered, trimmed.count <= maxLength, !trimmed.isEmpty { return trimmed }
        let suffix = shortHash(text)
        let room = maxLength - suffix.count - 1
        let head = trimmed.prefix(room).trimming(while: { $0 == "-" })
        return head.isEmpty ? suffix : "\(head)-\(suffix)"
    }

    /// `text` as a label value: at most 63 characters of `[A-Za-z0-9._-]`, starting and ending alphanumeric;
    /// shortened with a hash like `dns1123Label` when it is not one already.
    public static func labelValue(_ text: String) -> String {
        if isValidLabelValue(text) { return text }
        var mapped = ""
        for scalar in text.unicodeScalars {
            mapped.unicodeScalars.append(isLabelCharacter(scalar) ? scalar : "-")
        }
        let suffix = shortHash(text)
        let head = String(trimEnds(mapped).prefix(maxLabelValue - suffix.count - 1))
        let trimmedHead = trimEnds(head)
        return trimmedHead.isEmpty ? suffix : "\(trimmedHead)-\(suffix)"
    }

    /// Whether `text` is a valid label value (empty is valid).
    public static func isValidLabelValue(_ text: String) -> Bool {
        guard text.count <= maxLabelValue else { return false }
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
        return isAlphanumeric(first) && isAlphanumeric(last) && text.unicodeScalars.allSatisfy(isLabelCharacter)
    }

    /// Whether `text` is a DNS-1123 label of at most `maxLength` characters.
    public static func isDNS1123Label(_ text: String, maxLength: Int = 63) -> Bool {
        guard !text.isEmpty, text.count <= maxLength,
            let first = text.unicodeScalars.first, let last = text.unicodeScalars.last
        else { return false }
        let lower: (Unicode.Scalar) -> Bool = { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }
        return lower(first) && lower(last) && text.unicodeScalars.allSatisfy { lower($0) || $0 == "-" }
    }

    /// The first 8 hex digits of the SHA-256 of `text`.
    static func shortHash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(4).map { $0.hex(width: 2) }.joined()
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
    }

    private static func isLabelCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || scalar == "-" || scalar == "_" || scalar == "."
    }

    private static func trimEnds(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, !isAlphanumeric(first) { scalars.removeFirst() }
        while let last = scalars.last, !isAlphanumeric(last) { scalars.removeLast() }
        return String(scalars)
    }
}
