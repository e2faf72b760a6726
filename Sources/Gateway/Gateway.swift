import ArgumentParser

@main
struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "The secretariat's command line for the Xieshang services.",
        discussion: """
            Every command talks to the services over ZeroMQ. Endpoints come from flags or \
            XIESHANG_* variables (XIESHANG_REGISTRY_ENDPOINT, XIESHANG_SCHEDULER_ENDPOINT, \
            XIESHANG_TRACKER_ENDPOINT, XIESHANG_NOTIFIER_ENDPOINT). With CURVE (the default \
            for services), the gateway needs --keys DIR and --identity NAME (XIESHANG_KEYS_DIR, \
            XIESHANG_IDENTITY): see `gateway keys --help`. \
            Times are written 2026-12-01 09:00, in the committee's time zone (Asia/Shanghai, or \
            XIESHANG_TIME_ZONE). Tables by default, --json for \
            scripts.

            Exit codes: 0 done; 1 failed; 2 refused (invalid input, already exists, not allowed in \
            this state); 3 not found; 4 service unavailable or too slow; 5 not authenticated, \
            or not allowed for who acts; 64 usage error.

            Example: gateway member list --sector 教育界
            """,
        subcommands: [MemberCommand.self, MeetingCommand.self, ProposalCommand.self, TopicCommand.self, InboxCommand.self, NotifyCommand.self, TermCommand.self, StationCommand.self, RoomCommand.self, UnitCommand.self,
                      ReportCommand.self, HealthCommand.self, DescribeCommand.self, KeysCommand.self, BackupCommand.self, RestoreCommand.self,
                      PlanCommand.self, OpinionCommand.self, DutyCommand.self, PortalCommand.self])
}
