// Typed tables: the engine-side cache of one table's subscribed rows as value-type structs,
// kept by the row events of each tick (the native core has already reconciled them: one
// event per row that changed, BeforeDelete first). Generated code derives one class per
// table from Table<TRow, TKey, TCodec>, naming the key.
using System;
using System.Collections.Generic;

namespace Lightcone
{
    /// Reads and writes one row type (generated per type, a struct so calls are direct).
    public interface IRowCodec<TRow>
    {
        TRow Read(ref BsatnReader reader);
        void Write(BsatnWriter writer, TRow row);
    }

    /// What a connection knows of every table: its name and how to apply a row event.
    public abstract unsafe class TableBase
    {
        /// The table's canonical name (what queries and the server call it).
        public readonly string Name;

        /// The table's index in the native schema, once connected; uint.MaxValue before.
        internal uint NativeIndex = uint.MaxValue;

        protected TableBase(string name) { Name = name; }

        internal abstract void ApplyRow(ushort kind, byte* a, uint aLength, byte* b, uint bLength);
    }

    /// One table's rows, keyed by `TKey` (its primary key; the whole row for tables without
    /// one). Rows live in one dense array, so iterating them allocates nothing.
    public abstract unsafe class Table<TRow, TKey, TCodec> : TableBase
        where TCodec : struct, IRowCodec<TRow>
        where TKey : IEquatable<TKey>
    {
        TRow[] rows = new TRow[16];
        int count;
        readonly Dictionary<TKey, int> slots = new Dictionary<TKey, int>();

        /// A row entered the subscribed set.
        public event Action<TRow> OnInsert;
        /// A row is about to leave; every BeforeDelete of a tick comes before its other events.
        public event Action<TRow> OnBeforeDelete;
        /// A row left.
        public event Action<TRow> OnDelete;
        /// A row was replaced by one with the same key: (old, new).
        public event Action<TRow, TRow> OnUpdate;
        /// A row of an event table (delivered once, not kept).
        public event Action<TRow> OnEvent;

        protected Table(string name) : base(name) { }

        /// The key of `row`.
        protected abstract TKey KeyOf(TRow row);

        public int Count { get { return count; } }

        /// Row `i` of `Count`, in no particular order (it changes as rows come and go).
        public TRow this[int i]
        {
            get
            {
                if ((uint)i >= (uint)count) throw new ArgumentOutOfRangeException("i");
                return rows[i];
            }
        }

        /// The row with key `key`, if the cache holds it.
        public bool TryFind(TKey key, out TRow row)
        {
            int slot;
            if (slots.TryGetValue(key, out slot))
            {
                row = rows[slot];
                return true;
            }
            row = default(TRow);
            return false;
        }

        /// Every row, without allocating (`foreach (var row in table)`).
        public Enumerator GetEnumerator() { return new Enumerator(this); }

        public struct Enumerator
        {
            readonly Table<TRow, TKey, TCodec> table;
            int next;

            internal Enumerator(Table<TRow, TKey, TCodec> table) { this.table = table; next = -1; }
            public TRow Current { get { return table.rows[next]; } }
            public bool MoveNext() { return ++next < table.count; }
        }

        /// The rows for which `match` holds, appended to `into` (reuse one list per caller).
        public void Filter(Predicate<TRow> match, List<TRow> into)
        {
            for (int i = 0; i < count; i++)
                if (match(rows[i])) into.Add(rows[i]);
        }

        static TRow Decode(byte* bytes, uint length)
        {
            var reader = new BsatnReader(bytes, (int)length);
            return default(TCodec).Read(ref reader);
        }

        internal override void ApplyRow(ushort kind, byte* a, uint aLength, byte* b, uint bLength)
        {
            switch (kind)
            {
                case Kinds.Insert:
                {
                    var row = Decode(a, aLength);
                    var key = KeyOf(row);
                    int slot;
                    if (slots.TryGetValue(key, out slot))
                    {
                        rows[slot] = row;
                    }
                    else
                    {
                        if (count == rows.Length) Array.Resize(ref rows, rows.Length * 2);
                        rows[count] = row;
                        slots.Add(key, count);
                        count++;
                    }
                    var handler = OnInsert;
                    if (handler != null) handler(row);
                    break;
                }
                case Kinds.BeforeDelete:
                {
                    var handler = OnBeforeDelete;
                    if (handler != null) handler(Decode(a, aLength));
                    break;
                }
                case Kinds.Delete:
                {
                    var row = Decode(a, aLength);
                    Remove(KeyOf(row));
                    var handler = OnDelete;
                    if (handler != null) handler(row);
                    break;
                }
                case Kinds.Update:
                {
                    var row = Decode(a, aLength);
                    var key = KeyOf(row);
                    int slot;
                    TRow old;
                    if (slots.TryGetValue(key, out slot))
                    {
                        old = rows[slot];
                        rows[slot] = row;
                    }
                    else
                    {
                        old = Decode(b, bLength);
                        if (count == rows.Length) Array.Resize(ref rows, rows.Length * 2);
                        rows[count] = row;
                        slots.Add(key, count);
                        count++;
                    }
                    var handler = OnUpdate;
                    if (handler != null) handler(old, row);
                    break;
                }
                case Kinds.EventRow:
                {
                    var handler = OnEvent;
                    if (handler != null) handler(Decode(a, aLength));
                    break;
                }
            }
        }

        void Remove(TKey key)
        {
            int slot;
            if (!slots.TryGetValue(key, out slot)) return;
            slots.Remove(key);
            int last = count - 1;
            if (slot != last)
            {
                rows[slot] = rows[last];
                slots[KeyOf(rows[slot])] = slot;
            }
            rows[last] = default(TRow);
            count--;
        }
    }

    /// The event kinds a table applies (the native batch's numbers).
    static class Kinds
    {
        public const ushort BeforeDelete = Lightcone.Native.LightconeConstants.LC_EVENT_BEFORE_DELETE;
        public const ushort Delete = Lightcone.Native.LightconeConstants.LC_EVENT_DELETE;
        public const ushort Insert = Lightcone.Native.LightconeConstants.LC_EVENT_INSERT;
        public const ushort Update = Lightcone.Native.LightconeConstants.LC_EVENT_UPDATE;
        public const ushort EventRow = Lightcone.Native.LightconeConstants.LC_EVENT_EVENT_ROW;
    }
}
