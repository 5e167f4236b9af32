// AgentField.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>
    /// A published field of the agent profile, for <see cref="AgentProfile.Text"/>: each one
    /// is read through its own getter, <c>tb_agent_profile_&lt;name in lower case&gt;</c>
    /// (<see cref="Id"/> and <see cref="Limite"/>, numbers, as text through
    /// <c>tb_agent_profile_get</c>). The numbers of this enum are the binding's own and
    /// mean nothing to the library. The wire names are in lower case but for
    /// <c>LogLevel</c>. <c>secret</c> and <c>md5secret</c> (the SIP password and its
    /// digest) are deliberately not reachable.
    /// </summary>
    public enum AgentField
    {
        /// <summary><c>id</c> (a number; also <see cref="AgentProfile.Id"/>).</summary>
        Id,
        /// <summary><c>name</c>.</summary>
        Name,
        /// <summary><c>host</c>.</summary>
        Host,
        /// <summary><c>nat</c>.</summary>
        Nat,
        /// <summary><c>type</c>.</summary>
        Type,
        /// <summary><c>accountcode</c>.</summary>
        AccountCode,
        /// <summary><c>callgroup</c>.</summary>
        CallGroup,
        /// <summary><c>callerid</c>.</summary>
        CallerId,
        /// <summary><c>canreinvite</c>.</summary>
        CanReinvite,
        /// <summary><c>context</c>.</summary>
        Context,
        /// <summary><c>dtmfmode</c>.</summary>
        DtmfMode,
        /// <summary><c>insecure</c>.</summary>
        Insecure,
        /// <summary><c>language</c>.</summary>
        Language,
        /// <summary><c>mailbox</c>.</summary>
        Mailbox,
        /// <summary><c>pickupgroup</c>.</summary>
        PickupGroup,
        /// <summary><c>qualify</c>.</summary>
        Qualify,
        /// <summary><c>disallow</c>.</summary>
        Disallow,
        /// <summary><c>allow</c>.</summary>
        Allow,
        /// <summary><c>port</c>.</summary>
        Port,
        /// <summary><c>defaultuser</c>.</summary>
        DefaultUser,
        /// <summary><c>subscribecontext</c>.</summary>
        SubscribeContext,
        /// <summary><c>record</c>.</summary>
        Record,
        /// <summary><c>email</c>.</summary>
        Email,
        /// <summary><c>phonetype</c>.</summary>
        PhoneType,
        /// <summary><c>transport</c>.</summary>
        Transport,
        /// <summary><c>encryption</c>.</summary>
        Encryption,
        /// <summary><c>did</c>.</summary>
        Did,
        /// <summary><c>outboundproxy</c>.</summary>
        OutboundProxy,
        /// <summary><c>fullname</c>.</summary>
        FullName,
        /// <summary><c>LogLevel</c>.</summary>
        LogLevel,
        /// <summary><c>limite</c> (a number; also <see cref="AgentProfile.Limite"/>).</summary>
        Limite,
        /// <summary><c>token</c>: the session token (also cached by the client).</summary>
        Token,
    }
}
