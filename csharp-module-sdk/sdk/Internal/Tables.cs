// Table handles: what `ctx.Db.<table>` and its index accessors do. The build generates one
// handle class per table (translator/TableScanner.cs) over these.
using System;
using System.Collections.Generic;

namespace SpacetimeDB.Internal
{
    /// Host error numbers a module meets (SpacetimeDB's numbering).
    static class Errno
    {
        internal const ushort UniqueAlreadyExists = 12;
        internal const ushort ScheduleAtDelayTooLong = 13;
        internal const ushort NoSuchRow = 15;
        internal const ushort AutoIncOverflow = 16;

        internal static Exception Insert(ushort code, string table)
        {
            // The same opening as the Rust SDK's message.
            string opening = string.Concat("insertion error on table `", table, "`: ");
            switch (code)
            {
                case UniqueAlreadyExists: return new InvalidOperationException(string.Concat(opening, "a row already has that unique value"));
                case ScheduleAtDelayTooLong: return new InvalidOperationException(string.Concat(opening, "scheduled too far ahead"));
                case AutoIncOverflow: return new InvalidOperationException(string.Concat(opening, "the auto_inc sequence overflowed"));
                default: return new InvalidOperationException(string.Concat(opening, "the host refused the row (error ", code.ToString(), ")"));
            }
        }
    }

    /// Buffers the handles reuse between calls (made once, by the static initializer, so they
    /// outlive the call's arena): a key or row is written, handed to the host and done with
    /// before the next use. A value that outgrows one is written into a bigger array for
    /// that call only.
    static class Scratch
    {
        internal static readonly byte[] Key = new byte[256];
        internal static readonly byte[] Row = new byte[1024];
        internal static readonly byte[] Found = new byte[16384];
    }

    /// The rows of iterator `iter`, decoded as they are read.
    sealed class RowIterator<T> : IEnumerable<T>, IEnumerator<T>
    {
        uint iter;
        byte[] buffer = new byte[4096];
        int length, at;
        bool done;
        T current;

        internal RowIterator(uint iter) { this.iter = iter; }

        public bool MoveNext()
        {
            while (at >= length)
            {
                if (done) return false;
                int n = Host.Advance(iter, ref buffer);
                if (n < 0)
                {
                    done = true;
                    n = -n - 1;
                }
                length = n;
                at = 0;
            }
            current = Bsatn.Read<T>(buffer, ref at, length);
            return true;
        }

        public T Current { get { return current; } }
        object System.Collections.IEnumerator.Current { get { return current; } }
        public void Reset() { throw new NotSupportedException(); }
        public void Dispose() { if (!done) { done = true; Host.CloseIter(iter); } }
        public IEnumerator<T> GetEnumerator() { return this; }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { return this; }
    }

    public abstract class TableHandle<T> where T : struct
    {
        protected readonly uint lcTableId;
        protected readonly string lcTableName;

        protected TableHandle(string name, ref uint cachedId)
        {
            lcTableName = name;
            if (cachedId == 0) cachedId = Host.TableId(name) + 1;
            lcTableId = cachedId - 1;
        }

        /// Inserts `row`; returns it as stored (auto_inc columns filled in).
        public T Insert(T row)
        {
            byte[] buffer = Scratch.Row;
            int length = Bsatn.Write(ref buffer, 0, row);
            ushort rc = Host.Insert(lcTableId, buffer, ref length);
            if (rc != 0) throw Errno.Insert(rc, lcTableName);
            Bsatn.ReadGenerated(ref row, buffer, length);
            return row;
        }

        /// Deletes `row` if it is there.
        public bool Delete(T row)
        {
            byte[] buffer = Scratch.Row;
            int length = Bsatn.Write(ref buffer, 0, 1u);
            length = Bsatn.Write(ref buffer, length, row);
            return Host.DeleteAllByEq(lcTableId, buffer, length) > 0;
        }

        public ulong Count { get { return Host.RowCount(lcTableId); } }

        public IEnumerable<T> Iter() { return new RowIterator<T>(Host.TableScan(lcTableId)); }

        /// Deletes every row; how many there were.
        public ulong Clear() { return Host.Clear(lcTableId); }
    }

    /// A unique (or primary key) column: find, update and delete by its value.
    public sealed class UniqueIndex<T, K> where T : struct
    {
        readonly uint tableId, indexId;
        readonly string table, column;

        public UniqueIndex(uint tableId, string table, string column, string indexName, ref uint cachedId)
        {
            this.tableId = tableId;
            this.table = table;
            this.column = column;
            if (cachedId == 0) cachedId = Host.IndexId(indexName) + 1;
            indexId = cachedId - 1;
        }

        public T? Find(K key)
        {
            byte[] buffer = Scratch.Key;
            int length = Bsatn.Write(ref buffer, 0, key);
            uint iter = Host.IndexScanPoint(indexId, buffer, length);
            byte[] found = Scratch.Found;
            int n = Host.Advance(iter, ref found);
            if (n < 0) n = -n - 1;
            if (n == 0) return null;
            int at = 0;
            T row = Bsatn.Read<T>(found, ref at, n);
            // A unique index has one row: the iterator is exhausted (the host closed it).
            return row;
        }

        /// Replaces the row with `row`'s key by `row`; throws if there is none.
        public T Update(T row)
        {
            byte[] buffer = Scratch.Row;
            int length = Bsatn.Write(ref buffer, 0, row);
            ushort rc = Host.Update(tableId, indexId, buffer, ref length);
            if (rc == Errno.NoSuchRow) throw new InvalidOperationException(string.Concat("no row of ", table, " has that ", column));
            if (rc != 0) throw Errno.Insert(rc, table);
            return row;
        }

        public bool Delete(K key)
        {
            byte[] buffer = Scratch.Key;
            int length = Bsatn.Write(ref buffer, 0, key);
            return Host.DeleteByPoint(indexId, buffer, length) > 0;
        }
    }

    /// A b-tree index: the rows with a column value.
    public sealed class BTreeIndex<T, K> where T : struct
    {
        readonly uint indexId;

        public BTreeIndex(string indexName, ref uint cachedId)
        {
            if (cachedId == 0) cachedId = Host.IndexId(indexName) + 1;
            indexId = cachedId - 1;
        }

        public IEnumerable<T> Filter(K key)
        {
            byte[] buffer = new byte[32];
            int length = Bsatn.Write(ref buffer, 0, key);
            return new RowIterator<T>(Host.IndexScanPoint(indexId, buffer, length));
        }

        public uint Delete(K key)
        {
            byte[] buffer = new byte[32];
            int length = Bsatn.Write(ref buffer, 0, key);
            return Host.DeleteByPoint(indexId, buffer, length);
        }

        /// The rows whose column lies in [from, to] (both included).
        public IEnumerable<T> Filter(K from, K to) { return Range.Scan<T, K>(indexId, null, 0, 0, from, to); }
    }

    static class Range
    {
        static readonly byte[] NoPrefix = new byte[1];

        /// Rows of `index` after `prefix` (`elems` columns) with the next column in [from, to].
        internal static IEnumerable<T> Scan<T, K>(uint index, byte[] prefix, int prefixLength, ushort elems, K from, K to)
        {
            byte[] start = new byte[32], end = new byte[32];
            int startLength = Bsatn.Write(ref start, 0, (byte)0);
            startLength = Bsatn.Write(ref start, startLength, from);
            int endLength = Bsatn.Write(ref end, 0, (byte)0);
            endLength = Bsatn.Write(ref end, endLength, to);
            return new RowIterator<T>(Host.IndexScanRange(index, prefix ?? NoPrefix, prefixLength, elems, start, startLength, end, endLength));
        }
    }

    /// A b-tree index over two columns: filter by the first, or by both.
    public class BTreeIndex<T, K1, K2> where T : struct
    {
        protected readonly uint indexId;

        public BTreeIndex(string indexName, ref uint cachedId)
        {
            if (cachedId == 0) cachedId = Host.IndexId(indexName) + 1;
            indexId = cachedId - 1;
        }

        /// The rows whose first column is `first`.
        public IEnumerable<T> Filter(K1 first) { return Range.Scan<T, K1>(indexId, null, 0, 0, first, first); }

        /// The rows whose columns are `first` and `second`.
        public IEnumerable<T> Filter(K1 first, K2 second)
        {
            byte[] prefix = new byte[32];
            int length = Bsatn.Write(ref prefix, 0, first);
            return Range.Scan<T, K2>(indexId, prefix, length, 1, second, second);
        }

        /// The rows whose first column is `first` and second lies in [from, to].
        public IEnumerable<T> Filter(K1 first, K2 from, K2 to)
        {
            byte[] prefix = new byte[32];
            int length = Bsatn.Write(ref prefix, 0, first);
            return Range.Scan<T, K2>(indexId, prefix, length, 1, from, to);
        }
    }

    /// A b-tree index over three columns: filter by a prefix of them, the last one by value
    /// or by range.
    public sealed class BTreeIndex<T, K1, K2, K3> : BTreeIndex<T, K1, K2> where T : struct
    {
        public BTreeIndex(string indexName, ref uint cachedId) : base(indexName, ref cachedId) { }

        public IEnumerable<T> Filter(K1 first, K2 second, K3 third) { return Filter(first, second, third, third); }

        /// The rows with `first` and `second` whose third column lies in [from, to].
        public IEnumerable<T> Filter(K1 first, K2 second, K3 from, K3 to)
        {
            byte[] prefix = new byte[64];
            int length = Bsatn.Write(ref prefix, 0, first);
            length = Bsatn.Write(ref prefix, length, second);
            return Range.Scan<T, K3>(indexId, prefix, length, 2, from, to);
        }
    }
}
