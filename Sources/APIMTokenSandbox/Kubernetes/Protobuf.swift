import Foundation

/// Just enough of Kubernetes' protobuf encoding to read the one protobuf body kubectl sends for the RBAC checks
/// people run against the sandbox: the `SelfSubjectAccessReview` of `kubectl auth can-i`. Every other protobuf
/// body gets 415 (see ``KubernetesAPI``).
///
/// The envelope is the magic `k8s\0` followed by a `runtime.Unknown` message (1: typeMeta, 2: raw, 3:
/// contentEncoding, 4: contentType); `raw` holds the object's own message.
enum KubernetesProtobuf {
    /// The four bytes that start every Kubernetes protobuf body.
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// A protobuf parse failure.
    struct DecodeError: Error {}

    /// The length-delimited fields of one message (field number → values, in order); fields of other wire types
    /// are skipped, since nothing read here needs them.
    static func fields(_ bytes: ArraySlice<UInt8>) throws -> [Int: [ArraySlice<UInt8>]] {
        var result: [Int: [ArraySlice<UInt8>]] = [:]
        var i = bytes.startIndex
        func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.endIndex, shift < 64 else { throw DecodeError() }
                let b = bytes[i]
                i += 1
                value |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while i < bytes.endIndex {
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: _ = try varint()
            case 1: i += 8
            case 2:
                let length = Int(try varint())
                guard length >= 0, bytes.endIndex - i >= length else { throw DecodeError() }
                result[field, default: []].append(bytes[i..<(i + length)])
                i += length
            case 5: i += 4
            default: throw DecodeError()
            }
            guard i <= bytes.endIndex else { throw DecodeError() }
        }
        return result
    }

    private static func string(_ fields: [Int: [ArraySlice<UInt8>]], _ number: Int) -> String? {
        fields[number]?.last.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The JSON form of a protobuf `SelfSubjectAccessReview` (its `spec` only, which is all a review carries).
    static func selfSubjectAccessReview(_ body: [UInt8]) throws -> JSON {
        guard body.starts(with: magic) else { throw DecodeError() }
        let unknown = try fields(body[body.startIndex + 4..<body.endIndex])
        guard let raw = unknown[2]?.last else { throw DecodeError() }
        let review = try fields(raw)
        var spec: [String: JSON] = [:]
        if let specBytes = review[2]?.last {
            let specFields = try fields(specBytes)
            if let attributesBytes = specFields[1]?.last {
                let a = try fields(attributesBytes)
                var attributes: [String: JSON] = [:]
                for (number, name) in [(1, "namespace"), (2, "verb"), (3, "group"), (4, "version"), (5, "resource"), (6, "subresource"), (7, "name")] {
                    if let value = string(a, number) { attributes[name] = .string(value) }
                }
                spec["resourceAttributes"] = .object(attributes)
            }
            if let nonResourceBytes = specFields[2]?.last {
                let n = try fields(nonResourceBytes)
                spec["nonResourceAttributes"] = ["path": .string(string(n, 1) ?? ""), "verb": .string(string(n, 2) ?? "")]
            }
        }
        return ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "metadata": [:], "spec": .object(spec)]
    }
}
