import XieshangWire

extension PortalV1.AccountKind: ChineseLabelled {
    public var label: String {
        switch self {
        case .member: "委员"
        case .unit: "单位"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .member: "member"
        case .unit: "unit"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension PortalV1.AccountState: ChineseLabelled {
    public var label: String {
        switch self {
        case .invited: "已邀请"
        case .active: "已启用"
        case .disabled: "已停用"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .invited: "invited"
        case .active: "active"
        case .disabled: "disabled"
        case .unspecified, .unrecognized: ""
        }
    }
}
