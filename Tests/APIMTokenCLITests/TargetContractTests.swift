import ArgumentParser
import Foundation
import Testing

@testable import APIMToken
@testable import APIMTokenCLI

/// The environment an installed CronJob's pod is given is exactly what the commands read: the writer and the reader
/// share ``TargetVariable``, and this round trip fails if either drifts.
@Suite struct TargetContractTests {
    static func environment(of configuration: CronJobInstallConfiguration) -> Environment {
        var values: [String: String] = [:]
        for variable in InstallManifests.targetEnvironment(configuration) { values[variable.name] = variable.value }
        return Environment(values)
    }

    /// What `rotate` asks for with these flags in this environment.
    static func request(_ rotate: Rotate, _ environment: Environment) throws -> RotateRequest {
        try RotateCommandSupport.request(
            target: rotate.target, tokenKey: nil, kube: rotate.kube, environment: environment, namespace: "apim", ifExpiresWithin: nil,
            validity: rotate.rotation.validity, createSecret: false, dryRun: false, wait: true, timeout: rotate.rotation.timeout)
    }

    @Test(arguments: [
        CronJobIdentity.workloadIdentity(clientID: "11111111-2222-3333-4444-555555555555", tenantID: nil),
        .servicePrincipal(.existingSecret(name: "apim-rotator-sp")),
    ])
    func whatTheCronJobIsGivenIsWhatRotateReads(_ identity: CronJobIdentity) throws {
        let configuration = CronJobInstallConfiguration(
            namespace: "apim", subscriptionID: "00000000-0000-0000-0000-000000000001", resourceGroup: "rg-apim", apimInstance: "contoso-apim",
            gateway: "demo", tokenSecret: "demo-token", workload: WorkloadReference(kind: .statefulset, name: "edge"), identity: identity,
            tokenSecretKey: "config.service.auth", tokenKey: "rotate", cloud: "AzureUSGovernment", armEndpoint: nil)
        let environment = Self.environment(of: configuration)
        // The CronJob's command line names none of these: they come from the environment alone.
        let rotate = try Rotate.parseAsRoot(["--if-expires-within", "10d"]) as! Rotate
        let request = try Self.request(rotate, environment)
        #expect(request.gatewayName == "demo")
        #expect(request.secretName == "demo-token")
        #expect(request.secretKey == "config.service.auth")
        #expect(request.keyMode == .rotate)
        #expect(request.restart == [WorkloadReference(kind: .statefulset, name: "edge")])

        let azure = rotate.target.azure.resolved(with: environment)
        #expect(azure.subscriptionID == configuration.subscriptionID)
        #expect(azure.resourceGroup == "rg-apim")
        #expect(azure.serviceName == "contoso-apim")
        #expect(try AzureCloud.resolve(cloud: azure.cloud, armEndpoint: azure.armEndpoint, environment: environment) == .azureUSGovernment)
        let login = try rotate.login.options().resolved(with: environment)
        #expect(login.method == (try LoginMethod.parse(identity.loginMethod, source: "test")))

        // Every variable written is one of the contract's, and nothing else is.
        let written = Set(InstallManifests.targetEnvironment(configuration).map(\.name))
        #expect(written.isSubset(of: Set(TargetVariable.allCases.flatMap(\.names))), "\(written)")
    }

    @Test func aFlagWinsOverItsVariable() throws {
        let environment = Environment(["TOKEN_SECRET": "from-env", "APIM_GATEWAY": "env-gateway", "AZURE_SUBSCRIPTION_ID": "sdk-sub"])
        let rotate = try Rotate.parseAsRoot(["-t", "from-flag"]) as! Rotate
        let request = try Self.request(rotate, environment)
        #expect(request.secretName == "from-flag")
        #expect(request.gatewayName == "env-gateway")
        #expect(rotate.target.azure.resolved(with: environment).subscriptionID == "sdk-sub", "the Azure SDKs' name is read after SUBSCRIPTION_ID")
    }
}
