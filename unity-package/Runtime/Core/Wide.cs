// 128- and 256-bit integers as BSATN carries them (two little-endian halves), and the
// special types built on them: Identity (u256), ConnectionId (u128), Timestamp and
// TimeDuration (microseconds). Value types, so rows holding them stay blittable.
using System;

namespace Lightcone
{
    public struct U128 : IEquatable<U128>
    {
        public readonly ulong Upper, Lower;
        public U128(ulong upper, ulong lower) { Upper = upper; Lower = lower; }
        public bool Equals(U128 o) { return Upper == o.Upper && Lower == o.Lower; }
        public override bool Equals(object o) { return o is U128 && Equals((U128)o); }
        public override int GetHashCode() { return (Upper ^ Lower * 31).GetHashCode(); }
        public override string ToString() { return Upper == 0 ? Lower.ToString() : "0x" + Upper.ToString("x16") + Lower.ToString("x16"); }
    }

    public struct I128 : IEquatable<I128>
    {
        public readonly long Upper;
        public readonly ulong Lower;
        public I128(long upper, ulong lower) { Upper = upper; Lower = lower; }
        public bool Equals(I128 o) { return Upper == o.Upper && Lower == o.Lower; }
        public override bool Equals(object o) { return o is I128 && Equals((I128)o); }
        public override int GetHashCode() { return (Upper ^ (long)Lower * 31).GetHashCode(); }
        public override string ToString() { return "0x" + Upper.ToString("x16") + Lower.ToString("x16"); }
    }

    public struct U256 : IEquatable<U256>
    {
        public readonly U128 Upper, Lower;
        public U256(U128 upper, U128 lower) { Upper = upper; Lower = lower; }
        public bool Equals(U256 o) { return Upper.Equals(o.Upper) && Lower.Equals(o.Lower); }
        public override bool Equals(object o) { return o is U256 && Equals((U256)o); }
        public override int GetHashCode() { return Upper.GetHashCode() ^ Lower.GetHashCode() * 31; }
        /// 64 hex digits, most significant first.
        public override string ToString()
        {
            return Upper.Upper.ToString("x16") + Upper.Lower.ToString("x16") + Lower.Upper.ToString("x16") + Lower.Lower.ToString("x16");
        }
    }

    public struct I256 : IEquatable<I256>
    {
        public readonly U128 Upper, Lower;
        public I256(U128 upper, U128 lower) { Upper = upper; Lower = lower; }
        public bool Equals(I256 o) { return Upper.Equals(o.Upper) && Lower.Equals(o.Lower); }
        public override bool Equals(object o) { return o is I256 && Equals((I256)o); }
        public override int GetHashCode() { return Upper.GetHashCode() ^ Lower.GetHashCode() * 31; }
    }

    /// Who someone is: 256 bits; its hex form (as the server's URLs and JSON show it) is the
    /// most significant byte first.
    public struct Identity : IEquatable<Identity>
    {
        public readonly U256 Value;
        public Identity(U256 value) { Value = value; }
        public bool Equals(Identity o) { return Value.Equals(o.Value); }
        public override bool Equals(object o) { return o is Identity && Equals((Identity)o); }
        public override int GetHashCode() { return Value.GetHashCode(); }
        public override string ToString() { return Value.ToString(); }
        public static Identity Read(ref BsatnReader r) { return new Identity(r.ReadU256()); }
        public void Write(BsatnWriter w) { w.WriteU256(Value); }
    }

    /// One connection of an identity: 128 bits.
    public struct ConnectionId : IEquatable<ConnectionId>
    {
        public readonly U128 Value;
        public ConnectionId(U128 value) { Value = value; }
        public bool Equals(ConnectionId o) { return Value.Equals(o.Value); }
        public override bool Equals(object o) { return o is ConnectionId && Equals((ConnectionId)o); }
        public override int GetHashCode() { return Value.GetHashCode(); }
        public override string ToString() { return Value.Upper.ToString("x16") + Value.Lower.ToString("x16"); }
        public static ConnectionId Read(ref BsatnReader r) { return new ConnectionId(r.ReadU128()); }
        public void Write(BsatnWriter w) { w.WriteU128(Value); }
    }

    /// Microseconds since the Unix epoch.
    public struct Timestamp : IEquatable<Timestamp>
    {
        public readonly long MicrosSinceEpoch;
        public Timestamp(long micros) { MicrosSinceEpoch = micros; }
        public bool Equals(Timestamp o) { return MicrosSinceEpoch == o.MicrosSinceEpoch; }
        public override bool Equals(object o) { return o is Timestamp && Equals((Timestamp)o); }
        public override int GetHashCode() { return MicrosSinceEpoch.GetHashCode(); }
        public DateTime ToDateTime() { return new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(MicrosSinceEpoch * 10); }
        public override string ToString() { return ToDateTime().ToString("o"); }
        public static Timestamp Read(ref BsatnReader r) { return new Timestamp(r.ReadI64()); }
        public void Write(BsatnWriter w) { w.WriteI64(MicrosSinceEpoch); }
    }

    /// A span of microseconds.
    public struct TimeDuration : IEquatable<TimeDuration>
    {
        public readonly long Micros;
        public TimeDuration(long micros) { Micros = micros; }
        public bool Equals(TimeDuration o) { return Micros == o.Micros; }
        public override bool Equals(object o) { return o is TimeDuration && Equals((TimeDuration)o); }
        public override int GetHashCode() { return Micros.GetHashCode(); }
        public TimeSpan ToTimeSpan() { return TimeSpan.FromTicks(Micros * 10); }
        public static TimeDuration Read(ref BsatnReader r) { return new TimeDuration(r.ReadI64()); }
        public void Write(BsatnWriter w) { w.WriteI64(Micros); }
    }
}
