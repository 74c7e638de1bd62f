// BSATN, the binary encoding of rows and arguments (docs/protocol.md): little-endian
// integers, bool as one byte, strings and byte arrays as a u32 length then the bytes, arrays
// as a u32 count then the elements, products as their fields in order, sums as a u8 tag then
// the variant's payload.
//
// BsatnReader reads straight from the native event batch (no copy into a managed array);
// BsatnWriter encodes into one growable buffer a connection reuses for every call.
using System;
using System.Text;

namespace Lightcone
{
    /// A malformed or truncated BSATN value.
    public sealed class BsatnException : Exception
    {
        public BsatnException(string message) : base(message) { }
    }

    /// A cursor over BSATN bytes it does not own (valid as long as they are).
    public unsafe struct BsatnReader
    {
        readonly byte* data;
        readonly int length;
        int position;

        public BsatnReader(byte* data, int length)
        {
            this.data = data;
            this.length = length;
            position = 0;
        }

        /// Bytes read so far.
        public int Position { get { return position; } }

        /// Bytes left.
        public int Remaining { get { return length - position; } }

        byte* Take(int n)
        {
            if (n < 0 || n > length - position)
                throw new BsatnException("BSATN value truncated: " + n + " bytes wanted at " + position + " of " + length);
            byte* p = data + position;
            position += n;
            return p;
        }

        public bool ReadBool()
        {
            byte b = *Take(1);
            if (b > 1) throw new BsatnException("a bool is 0 or 1, not " + b);
            return b == 1;
        }

        public byte ReadU8() { return *Take(1); }
        public sbyte ReadI8() { return (sbyte)*Take(1); }
        public ushort ReadU16() { byte* p = Take(2); return (ushort)(p[0] | p[1] << 8); }
        public short ReadI16() { return (short)ReadU16(); }
        public uint ReadU32() { byte* p = Take(4); return (uint)(p[0] | p[1] << 8 | p[2] << 16 | p[3] << 24); }
        public int ReadI32() { return (int)ReadU32(); }
        public ulong ReadU64() { ulong lo = ReadU32(); ulong hi = ReadU32(); return lo | hi << 32; }
        public long ReadI64() { return (long)ReadU64(); }
        public U128 ReadU128() { ulong lo = ReadU64(); return new U128(ReadU64(), lo); }
        public I128 ReadI128() { ulong lo = ReadU64(); return new I128((long)ReadU64(), lo); }
        public U256 ReadU256() { U128 lo = ReadU128(); return new U256(ReadU128(), lo); }
        public I256 ReadI256() { U128 lo = ReadU128(); return new I256(ReadU128(), lo); }
        public float ReadF32() { uint bits = ReadU32(); return *(float*)&bits; }
        public double ReadF64() { ulong bits = ReadU64(); return *(double*)&bits; }

        /// A length or element count (u32), refused when it cannot fit what is left.
        public int ReadLength(int minElementSize)
        {
            uint n = ReadU32();
            if (n > int.MaxValue || (minElementSize > 0 && (long)n * minElementSize > Remaining))
                throw new BsatnException("BSATN length " + n + " is longer than the " + Remaining + " bytes left");
            return (int)n;
        }

        /// A string (allocates the managed string).
        public string ReadString()
        {
            int n = ReadLength(1);
            byte* p = Take(n);
            return n == 0 ? string.Empty : Encoding.UTF8.GetString(p, n);
        }

        /// A byte array (allocates it).
        public byte[] ReadBytes()
        {
            int n = ReadLength(1);
            byte* p = Take(n);
            var bytes = new byte[n];
            for (int i = 0; i < n; i++) bytes[i] = p[i];
            return bytes;
        }

        /// A sum's tag.
        public byte ReadTag() { return *Take(1); }

        /// Steps over `n` bytes.
        public void Skip(int n) { Take(n); }
    }

    /// A growable buffer of BSATN, reused: `Reset` before each value.
    public sealed unsafe class BsatnWriter
    {
        static readonly byte[] NoBytes = new byte[0];
        byte[] buffer;
        int length;

        public BsatnWriter(int capacity = 256) { buffer = new byte[Math.Max(16, capacity)]; }

        /// The bytes written so far are `Buffer[0..Length)`.
        public byte[] Buffer { get { return buffer; } }
        public int Length { get { return length; } }

        public void Reset() { length = 0; }

        void Room(int n)
        {
            if (length + n <= buffer.Length) return;
            int size = buffer.Length;
            while (size < length + n) size *= 2;
            Array.Resize(ref buffer, size);
        }

        public void WriteBool(bool v) { WriteU8(v ? (byte)1 : (byte)0); }
        public void WriteU8(byte v) { Room(1); buffer[length++] = v; }
        public void WriteI8(sbyte v) { WriteU8((byte)v); }
        public void WriteU16(ushort v) { Room(2); buffer[length++] = (byte)v; buffer[length++] = (byte)(v >> 8); }
        public void WriteI16(short v) { WriteU16((ushort)v); }
        public void WriteU32(uint v)
        {
            Room(4);
            buffer[length++] = (byte)v; buffer[length++] = (byte)(v >> 8);
            buffer[length++] = (byte)(v >> 16); buffer[length++] = (byte)(v >> 24);
        }
        public void WriteI32(int v) { WriteU32((uint)v); }
        public void WriteU64(ulong v) { WriteU32((uint)v); WriteU32((uint)(v >> 32)); }
        public void WriteI64(long v) { WriteU64((ulong)v); }
        public void WriteU128(U128 v) { WriteU64(v.Lower); WriteU64(v.Upper); }
        public void WriteI128(I128 v) { WriteU64(v.Lower); WriteU64((ulong)v.Upper); }
        public void WriteU256(U256 v) { WriteU128(v.Lower); WriteU128(v.Upper); }
        public void WriteI256(I256 v) { WriteU128(v.Lower); WriteU128(v.Upper); }
        public void WriteF32(float v) { WriteU32(*(uint*)&v); }
        public void WriteF64(double v) { WriteU64(*(ulong*)&v); }
        public void WriteLength(int n) { WriteU32((uint)n); }
        public void WriteTag(byte tag) { WriteU8(tag); }

        /// A string (null is written as empty).
        public void WriteString(string v)
        {
            if (v == null) v = string.Empty;
            int n = Encoding.UTF8.GetByteCount(v);
            WriteLength(n);
            Room(n);
            length += Encoding.UTF8.GetBytes(v, 0, v.Length, buffer, length);
        }

        /// A byte array (null is written as empty).
        public void WriteBytes(byte[] v)
        {
            if (v == null) v = NoBytes;
            WriteLength(v.Length);
            Room(v.Length);
            System.Buffer.BlockCopy(v, 0, buffer, length, v.Length);
            length += v.Length;
        }
    }
}
