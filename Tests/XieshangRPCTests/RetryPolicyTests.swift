import Testing
@testable import XieshangRPC

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("backoff grows exponentially up to the cap, with full jitter")
    func backoff() {
        let policy = RetryPolicy()
        for attempt in 1...8 {
            let ceiling = min(policy.maxBackoff, policy.initialBackoff * Double(1 << (attempt - 1)))
            let samples = (0..<200).map { _ in policy.backoff(after: attempt) }
            #expect(samples.allSatisfy { $0 >= .zero && $0 <= ceiling })
            // Jitter: not every pause is the same.
            #expect(Set(samples).count > 100)
        }
    }

    @Test("only UNAVAILABLE is retried, and DEADLINE_EXCEEDED for reads")
    func retryableCodes() {
        #expect(StatusCode.unavailable.isRetryable(read: false))
        #expect(StatusCode.unavailable.isRetryable(read: true))
        #expect(StatusCode.deadlineExceeded.isRetryable(read: true))
        #expect(!StatusCode.deadlineExceeded.isRetryable(read: false))
        for code in StatusCode.allCases where code != .unavailable && code != .deadlineExceeded {
            #expect(!code.isRetryable(read: true))
        }
    }
}
