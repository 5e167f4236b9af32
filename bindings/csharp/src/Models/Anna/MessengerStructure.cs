// MessengerStructure.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// The company's messenger structure: departments and their channels, read through the
    /// library's accessors (<c>tb_messenger_structure_*</c>) and copied.
    /// </summary>
    public sealed class MessengerStructure
    {
        /// <summary><c>CompaniesHash</c>: the company hash (a credential: do not log it).</summary>
        public string CompaniesHash { get; }
        /// <summary><c>CompaniesName</c>: the company name.</summary>
        public string CompaniesName { get; }
        /// <summary>The departments, in AnnA's order.</summary>
        public IReadOnlyList<MessengerDepartment> Departments { get; }
        /// <summary>The <c>structure</c> object as JSON text (AnnA's value written anew, keys sorted; it holds the company hash).</summary>
        public string RawJson { get; }

        internal MessengerStructure(MessengerStructureHandle s)
        {
            CompaniesHash = Native.Lent(s, Native.tb_messenger_structure_companies_hash);
            CompaniesName = Native.Lent(s, Native.tb_messenger_structure_companies_name);
            RawJson = Native.Lent(s, Native.tb_messenger_structure_raw_json);
            ulong count = Native.tb_messenger_structure_department_count(s).ToUInt64();
            var departments = new List<MessengerDepartment>();
            for (ulong d = 0; d < count; d++)
            {
                IntPtr alias, name;
                UIntPtr aliasLen, nameLen;
                Native.Check(Native.tb_messenger_structure_department(s, new UIntPtr(d), out alias, out aliasLen, out name, out nameLen));
                ulong channelCount = Native.tb_messenger_structure_channel_count(s, new UIntPtr(d)).ToUInt64();
                var channels = new List<MessengerChannel>();
                for (ulong c = 0; c < channelCount; c++)
                {
                    IntPtr chAlias, chName;
                    UIntPtr chAliasLen, chNameLen;
                    Native.Check(Native.tb_messenger_structure_channel(s, new UIntPtr(d), new UIntPtr(c), out chAlias, out chAliasLen, out chName, out chNameLen));
                    channels.Add(new MessengerChannel(Native.CopyUtf8(chAlias, chAliasLen), Native.CopyUtf8(chName, chNameLen)));
                }
                departments.Add(new MessengerDepartment(Native.CopyUtf8(alias, aliasLen), Native.CopyUtf8(name, nameLen), channels));
            }
            Departments = departments;
        }

        /// <summary>Never shows the company hash.</summary>
        public override string ToString()
        {
            return "MessengerStructure(" + (CompaniesName ?? "?") + ", " + Departments.Count.ToString(CultureInfo.InvariantCulture) + " departments)";
        }
    }
}
