// WebhookVerificationException.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;

namespace TokenBridge
{
    /// <summary>
    /// A Yativo webhook request failed the check (<see cref="YativoWebhook.Verify(byte[], string, string, string[])"/>):
    /// answer it with 401 (or 400 for <see cref="Part"/> <c>body</c>) and do not act on it.
    /// <see cref="Part"/> says which part of the request is wrong; the message never holds
    /// a secret or the signature the body should have had.
    /// </summary>
    public sealed class WebhookVerificationException : TokenBridgeException
    {
        /// <summary>
        /// The part of the request that failed, as the C# parameter is named:
        /// <c>headers</c> (no signature header among them), <c>headerName</c> (not a
        /// signature header), <c>headerValue</c> (empty, not hex, the wrong length, or no
        /// secret matched: the body was changed or signed with another secret) or
        /// <c>body</c> (signed, but not a Yativo event).
        /// </summary>
        public string Part { get; }

        /// <summary>Why, in the library's words, without the part's name (e.g. "matches none of the 2 webhook secret(s)").</summary>
        public string Reason { get; }

        internal WebhookVerificationException(string part, string reason)
            : base(TokenBridgeStatus.InvalidArgument, "webhook refused: `" + part + "`: " + reason, 0, null)
        {
            Part = part;
            Reason = reason;
        }
    }
}
