// The host's functions (SpacetimeDB 2.x module ABI) as the SDK calls them; the translator
// implements these internal calls over the wasm imports (runtime/lc_module.c).
using System.Runtime.CompilerServices;

namespace SpacetimeDB.Internal
{
    internal static class Host
    {
        /// The table's id; throws if the host has no table by that name.
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern uint TableId(string name);

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern uint IndexId(string name);

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern ulong RowCount(uint table);

        /// Inserts `row` (its first `length` bytes); the host writes back the row with its
        /// auto_inc values. Returns the host's error number (0: inserted).
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern ushort Insert(uint table, byte[] row, ref int length);

        /// Updates the row with `row`'s value of unique index `index`.
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern ushort Update(uint table, uint index, byte[] row, ref int length);

        /// Deletes the rows equal to these encoded rows (a u32 count, then each); how many.
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern uint DeleteAllByEq(uint table, byte[] rows, int length);

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern uint TableScan(uint table);

        /// The rows matching the encoded `key` of index `index`.
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern uint IndexScanPoint(uint index, byte[] key, int length);

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern uint DeleteByPoint(uint index, byte[] key, int length);

        /// The rows whose first `prefixElems` index columns equal `prefix` and whose next one
        /// lies between the encoded bounds (BSATN `Bound`: 0 included, 1 excluded, 2 none).
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern uint IndexScanRange(uint index, byte[] prefix, int prefixLength, ushort prefixElems,
                                                   byte[] start, int startLength, byte[] end, int endLength);

        /// Fills `buffer` with whole rows of `iter` (growing it when one does not fit); their
        /// bytes, or when that was the iterator's last batch (the host then frees it)
        /// -(bytes + 1).
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int Advance(uint iter, ref byte[] buffer);

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void CloseIter(uint iter);

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern ulong Clear(uint table);

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Log(int level, string message);

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern Identity DatabaseIdentity();
    }

    /// BSATN of any module type: the translator writes one encoder and decoder per type.
    public static class Bsatn
    {
        /// Appends `value`'s BSATN to `buffer` from `length` on (growing it); the new length.
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int Write<T>(ref byte[] buffer, int length, T value);

        /// Sets `row`'s auto_inc columns from what an insert wrote back (their values, in
        /// column order).
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void ReadGenerated<T>(ref T row, byte[] buffer, int length);

        /// Reads a `T` at `at` (advancing it) from the first `length` bytes of `buffer`.
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern T Read<T>(byte[] buffer, ref int at, int length);
    }
}
