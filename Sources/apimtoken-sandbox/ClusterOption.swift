import ArgumentParser

/// `--cluster K`: which cluster of a sandbox started with `up --clusters N` a command acts on.
struct ClusterOption: ParsableArguments {
    /// The cluster number, 1-based.
    @Option(name: .customLong("cluster"), help: "The cluster (1 to the N of `up --clusters N`; 1 is context apimtoken-sandbox, K is apimtoken-sandbox-K).")
    var number: Int = 1

    /// The admin endpoint's query for the cluster.
    var query: String { "?cluster=\(number)" }

    /// Rejects numbers below 1 (the sandbox rejects numbers above its cluster count).
    func validate() throws {
        guard number >= 1 else { throw ValidationError("--cluster must be ≥ 1") }
    }
}
