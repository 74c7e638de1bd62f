// Bodies of the corlib's InternalCall methods: C over the runtime (runtime/lc_runtime.h).
// Keyed by `Type::Method/parameter count`; `self` is `this`, `a0`... the parameters.
using System.Collections.Generic;

namespace Lightcone.Translator
{
    public static class Intrinsics
    {
        static readonly Dictionary<string, string> Bodies = new Dictionary<string, string>
        {
            { "System.Object::ToString/0", "return lc_object_to_string(self);" },
            { "System.ValueType::Equals/1", "return lc_valuetype_equals(self, a0);" },
            { "System.ValueType::GetHashCode/0", "return lc_valuetype_hash(self);" },
            { "System.Enum::ToString/0", "return lc_enum_to_string(self);" },
            { "System.Runtime.CompilerServices.RuntimeHelpers::ReferenceEquals/2", "return a0 == a1;" },
            { "System.Runtime.CompilerServices.RuntimeHelpers::GetHashCode/1", "return lc_identity_hash(a0);" },
            { "System.Runtime.CompilerServices.RuntimeHelpers::CheckStore/2", "if (!lc_store_ok(a0, a1)) lc_throw_persistent_store();" },
            { "System.String::get_Length/0", "return ((lc_string*)self)->length;" },
            { "System.String::get_Chars/1",
              "if ((uint32_t)a0 >= (uint32_t)((lc_string*)self)->length) { lc_throw_index(); return 0; }\n    return ((lc_string*)self)->chars[a0];" },
            { "System.String::FastAllocateString/1", "return lc_string_alloc(a0);" },
            { "System.String::InternalSetChar/2", "((lc_string*)self)->chars[a0] = a1;" },
            { "System.String::InternalCopy/4",
              "memcpy(((lc_string*)self)->chars + a0, ((lc_string*)a1)->chars + a2, (size_t)a3 * 2);" },
            { "System.Number::FormatDoubleRaw/3", "return lc_format_double(a0, a1, a2);" },
            { "System.Number::ParseDouble/1", "return lc_parse_double(a0);" },
            { "System.Console::InternalWrite/2", "lc_console_write(a0, a1);" },
            { "System.Array::get_Length/0", "return ((lc_array*)self)->length;" },
            { "System.Array::InternalCopy/5", "lc_array_copy(a0, a1, a2, a3, a4);" },
            { "System.Array::Clear/3", "lc_array_clear(a0, a1, a2);" },
            { "System.Delegate::SameTargetAndFunction/2", "return lc_delegate_same(a0, a1);" },
            { "System.Math::Sqrt/1", "return sqrt(a0);" },
            { "System.Math::Sin/1", "return sin(a0);" },
            { "System.Math::Cos/1", "return cos(a0);" },
            { "System.Math::Tan/1", "return tan(a0);" },
            { "System.Math::Asin/1", "return asin(a0);" },
            { "System.Math::Acos/1", "return acos(a0);" },
            { "System.Math::Atan/1", "return atan(a0);" },
            { "System.Math::Atan2/2", "return atan2(a0, a1);" },
            { "System.Math::Pow/2", "return pow(a0, a1);" },
            { "System.Math::Exp/1", "return exp(a0);" },
            { "System.Math::Log/1", "return log(a0);" },
            { "System.Math::Log10/1", "return log10(a0);" },
            { "System.Math::Floor/1", "return floor(a0);" },
            { "System.Math::Ceiling/1", "return ceil(a0);" },
            { "System.Math::Round/1", "return nearbyint(a0);" },
            { "System.Math::Truncate/1", "return trunc(a0);" },
            { "SpacetimeDB.Internal.Host::TableId/1", "return lc_host_table_id(a0);" },
            { "SpacetimeDB.Internal.Host::IndexId/1", "return lc_host_index_id(a0);" },
            { "SpacetimeDB.Internal.Host::RowCount/1", "return lc_host_row_count(a0);" },
            { "SpacetimeDB.Internal.Host::Insert/3", "return lc_host_insert(a0, a1, a2);" },
            { "SpacetimeDB.Internal.Host::Update/4", "return lc_host_update(a0, a1, a2, a3);" },
            { "SpacetimeDB.Internal.Host::DeleteAllByEq/3", "return lc_host_delete_all_by_eq(a0, a1, a2);" },
            { "SpacetimeDB.Internal.Host::TableScan/1", "return lc_host_table_scan(a0);" },
            { "SpacetimeDB.Internal.Host::IndexScanPoint/3", "return lc_host_index_scan_point(a0, a1, a2);" },
            { "SpacetimeDB.Internal.Host::DeleteByPoint/3", "return lc_host_delete_by_point(a0, a1, a2);" },
            { "SpacetimeDB.Internal.Host::IndexScanRange/8", "return lc_host_index_scan_range(a0, a1, a2, a3, a4, a5, a6, a7);" },
            { "SpacetimeDB.Internal.Host::Advance/2", "return lc_host_advance(a0, a1);" },
            { "SpacetimeDB.Internal.Host::CloseIter/1", "lc_host_close_iter(a0);" },
            { "SpacetimeDB.Internal.Host::Clear/1", "return lc_host_clear(a0);" },
            { "SpacetimeDB.Internal.Host::Log/2", "lc_host_log(a0, a1);" },
            { "SpacetimeDB.Internal.Host::DatabaseIdentity/0",
              "struct V_SpacetimeDB_Identity id;\n    lc_host_identity((uint8_t*)&id);\n    return id;" },
        };

        /// Internal calls that never throw: no exception check after calling them.
        static readonly HashSet<string> NoThrow = new HashSet<string>
        {
            "System.Runtime.CompilerServices.RuntimeHelpers::ReferenceEquals/2",
            "System.Runtime.CompilerServices.RuntimeHelpers::GetHashCode/1",
            "System.String::get_Length/0", "System.String::InternalSetChar/2", "System.String::InternalCopy/4",
            "System.Array::get_Length/0", "System.Delegate::SameTargetAndFunction/2",
        };

        public static string Key(MethodInst m)
        {
            return m.Def.DeclaringType.FullName + "::" + m.Def.Name + "/" + m.Def.Parameters.Count;
        }

        public static string Body(MethodInst m)
        {
            string body;
            return Bodies.TryGetValue(Key(m), out body) ? body : null;
        }

        public static bool IsNoThrow(MethodInst m)
        {
            string k = Key(m);
            if (NoThrow.Contains(k)) return true;
            return k.StartsWith("System.Math::") && Bodies.ContainsKey(k);
        }
    }
}
