import APIMToken
import FoundationEssentials

/// What a command prints: itself as the document of `-o json|yaml`, and text for people.
protocol Rendered: Encodable {
    /// The text of `-o table` (or `text`), `-o wide` when `wide`.
    func text(wide: Bool, terminal: Terminal) -> String
    /// Said on stderr instead of an empty table (nil: print the text).
    var emptyMessage: String? { get }
}

extension Rendered {
    var emptyMessage: String? { nil }
}

/// The one place where a result becomes output, for every command and every format.
enum Renderer {
    static func render(_ value: some Rendered, as format: OutputFormat, terminal: Terminal) throws {
        switch format {
        case .table, .wide:
            if let message = value.emptyMessage {
                terminal.err(message)
            } else {
                terminal.out(value.text(wide: format == .wide, terminal: terminal))
            }
        case .json, .yaml:
            terminal.out(try OutputFormat.document(value, as: format))
        }
    }
}

// MARK: - The commands' results

extension RotateResult: Rendered {
    func text(wide: Bool, terminal: Terminal) -> String {
        guard dryRun else { return summary }
        let steps = plan.enumerated().map { "  \($0.offset + 1). \($0.element)" }
        return (["Plan for gateway \(gateway) in namespace \(namespace):"] + steps + [summary]).joined(separator: "\n")
    }
}

extension SwitchKeyResult: Rendered {
    func text(wide: Bool, terminal: Terminal) -> String { summary }
}

extension FleetRotateReport: Rendered {
    func text(wide: Bool, terminal: Terminal) -> String { FleetTable.render(self) }
}

extension FleetSwitchKeyReport: Rendered {
    func text(wide: Bool, terminal: Terminal) -> String { FleetSwitchTable.render(self) + "\n" + summary }
}

extension FleetInstallReport: Rendered {
    func text(wide: Bool, terminal: Terminal) -> String { FleetInstallTable.render(self) }
}

/// `status`'s report with what the table needs besides: the time its LEFT column counts from, and what to say
/// when nothing was found.
struct StatusOutput: Rendered {
    var report: StatusReport
    var now: Date
    /// "No gateways found in namespace apim.", and the like.
    var scope: String

    func encode(to encoder: any Encoder) throws { try report.encode(to: encoder) }

    func text(wide: Bool, terminal: Terminal) -> String { StatusTable.render(report, wide: wide, now: now, terminal: terminal) }

    var emptyMessage: String? { report.gateways.isEmpty && (report.errors ?? []).isEmpty ? scope : nil }
}

/// What one `install-cronjob` did, object by object (`serviceaccount/apimtoken-demo applied`).
struct InstallResultOutput: Rendered {
    var result: InstallCronJobResult
    /// `applied`, `deleted`, `validated (server dry run)`.
    var verb: String

    func encode(to encoder: any Encoder) throws { try result.encode(to: encoder) }

    func text(wide: Bool, terminal: Terminal) -> String {
        let lines = (result.applied + result.deleted).map { "\($0) \(verb)" } + (result.job.map { ["\($0) created"] } ?? [])
        return lines.isEmpty ? "nothing to do" : lines.joined(separator: "\n")
    }
}
