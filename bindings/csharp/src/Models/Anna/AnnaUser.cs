// AnnaUser.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>An AnnA user: by id, or by document.</summary>
    public sealed class AnnaUser
    {
        /// <summary>The user id, or null when chosen by document.</summary>
        public string Id { get; }
        /// <summary>The document type (e.g. "CPF"), or null when chosen by id.</summary>
        public string DocumentType { get; }
        /// <summary>The document number, or null when chosen by id.</summary>
        public string DocumentValue { get; }

        private AnnaUser(string id, string docType, string docValue)
        {
            Id = id;
            DocumentType = docType;
            DocumentValue = docValue;
        }

        /// <summary>The user with this id.</summary>
        public static AnnaUser ById(string id)
        {
            return new AnnaUser(Native.NotNull(id, "id"), null, null);
        }

        /// <summary>The user holding this document (e.g. "CPF", "12345678900").</summary>
        public static AnnaUser ByDocument(string type, string value)
        {
            return new AnnaUser(null, Native.NotNull(type, "type"), Native.NotNull(value, "value"));
        }
    }
}
