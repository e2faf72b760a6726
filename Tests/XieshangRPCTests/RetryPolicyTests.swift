import Testing
@testable import XieshangRPC
import XieshangWire

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

@Suite("Throttled failure logs")
struct LogThrottleTests {
    @Test("the first of a kind in each second is logged, with how many more were held back")
    func throttle() {
        let throttle = LogThrottle(window: .seconds(1))
        let start = ContinuousClock.now
        #expect(throttle.admit("Meetings/Publish UNAVAILABLE", now: start) == (true, 0))
        #expect(throttle.admit("Meetings/Publish UNAVAILABLE", now: start + .milliseconds(100)) == (false, 0))
        #expect(throttle.admit("Meetings/Publish UNAVAILABLE", now: start + .milliseconds(900)) == (false, 0))
        // Another kind is its own.
        #expect(throttle.admit("Meetings/Schedule UNAVAILABLE", now: start + .milliseconds(100)) == (true, 0))
        // The next window: logged, saying two were not.
        #expect(throttle.admit("Meetings/Publish UNAVAILABLE", now: start + .milliseconds(1100)) == (true, 2))
        #expect(throttle.admit("Meetings/Publish UNAVAILABLE", now: start + .milliseconds(3000)) == (true, 0))
    }
}
