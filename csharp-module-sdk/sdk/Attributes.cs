// The attributes a module's C# uses, as SpacetimeDB's C# SDK names them. The build reads them
// twice: from the source, to generate `ctx.Db.<Table>` (translator/TableScanner.cs), and from
// the compiled IL, for the module definition and the serializers (translator/ModuleDef.cs).
using System;

namespace SpacetimeDB
{
    /// A table of rows of this struct. `Accessor` is its name in `ctx.Db`, `Name` its name
    /// in SQL and on the wire (default: the accessor; default accessor: the struct's name).
    [AttributeUsage(AttributeTargets.Struct, AllowMultiple = true)]
    public sealed class TableAttribute : Attribute
    {
        public string Name;
        public string Accessor;
        public bool Public;
        public bool Event;
        /// The reducer a scheduled table's rows call when due.
        public string Scheduled;
        /// The ScheduleAt column of a scheduled table (default "ScheduledAt").
        public string ScheduledAt;
    }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class PrimaryKeyAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class AutoIncAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class UniqueAttribute : Attribute { }

    /// A string, array or List<T> field that may be null: an Option column (what `string?`
    /// says in C# 8, which `mcs` does not accept).
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class OptionAttribute : Attribute { }

    public static class Index
    {
        /// A b-tree index: on a field, or on the table's struct with `Columns` for several.
        [AttributeUsage(AttributeTargets.Field | AttributeTargets.Struct, AllowMultiple = true)]
        public sealed class BTreeAttribute : Attribute
        {
            public string Accessor;
            public string[] Columns;
        }
    }

    /// A struct or enum that can be a column or a reducer argument; on an abstract class, a
    /// tagged enum whose variants are its nested sealed subclasses (a variant with one field
    /// named `Value` carries that field; otherwise its fields, possibly none).
    [AttributeUsage(AttributeTargets.Struct | AttributeTargets.Enum | AttributeTargets.Class)]
    public sealed class TypeAttribute : Attribute { }

    public enum ReducerKind { UserDefined, Init, ClientConnected, ClientDisconnected }

    /// A reducer: a static method taking a ReducerContext first.
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class ReducerAttribute : Attribute
    {
        public ReducerAttribute() { }
        public ReducerAttribute(ReducerKind kind) { Kind = kind; }
        public ReducerKind Kind;
    }
}
