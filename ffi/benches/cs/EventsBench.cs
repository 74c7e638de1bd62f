// The C# half of `cargo bench -p lightcone-ffi --bench events` (ffi/benches/events/main.rs
// starts the feeder and runs this under mono): the same stream of 10,000-row updates,
// ticked through the csbindgen declarations as the Unity package does, reading each
// update's row. Prints one JSON object.
//
// usage: mono EventsBench.exe <server-url> <transactions> <rows-per-transaction> <slices>
using System;
using System.Diagnostics;
using System.Text;
using Lightcone.Native;
using static Lightcone.Native.LightconeConstants;

public static unsafe class EventsBench
{
    const uint TickWaitMs = 100;

    static void Check(int rc, string what)
    {
        if (rc < 0) throw new Exception(what + ": " + rc);
    }

    static byte[] Utf8z(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Array.Resize(ref bytes, bytes.Length + 1);
        return bytes;
    }

    static void Until(ulong client, ushort kind)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            LcBatch batch;
            Check(LightconeNative.lc_wait_tick(client, TickWaitMs, &batch), "lc_wait_tick");
            for (uint i = 0; i < batch.count; i++) if (batch.events[i].kind == kind) return;
        }
        throw new Exception("no event " + kind);
    }

    /// Whether the first row of the last transaction's slice holds its version (hp = 100 + it).
    static bool Done(ulong client, uint transactions, uint rows, uint slices)
    {
        uint last = transactions - 1;
        LcRow row;
        uint key = last % slices * rows;
        if (LightconeNative.lc_find(client, 0, (byte*)&key, 4, &row) != LC_OK || row.len != 20) return false;
        return *(uint*)(row.ptr + 16) == 100 + last / slices + 1;
    }

    public static int Main(string[] args)
    {
        uint transactions = uint.Parse(args[1]);
        uint rows = uint.Parse(args[2]);
        uint slices = uint.Parse(args[3]);
        ulong changes = (ulong)transactions * rows;
        ulong client = 0;
        fixed (byte* s = Utf8z(args[0]))
        fixed (byte* d = Utf8z("bench"))
            Check(LightconeNative.lc_connect(s, d, null, &client), "lc_connect");
        Until(client, LC_EVENT_CONNECTED);
        uint set;
        fixed (byte* q = Utf8z("SELECT * FROM pos"))
        {
            byte** queries = stackalloc byte*[1];
            queries[0] = q;
            Check(LightconeNative.lc_subscribe(client, queries, 1, &set), "lc_subscribe");
        }
        Until(client, LC_EVENT_SUBSCRIBE_APPLIED);
        // The stand-in server streams once asked (it never answers the call).
        uint request;
        fixed (byte* start = Utf8z("start"))
            Check(LightconeNative.lc_call_reducer(client, start, null, 0, &request), "lc_call_reducer");

        ulong updates = 0, checksum = 0, ticks = 0;
        var watch = Stopwatch.StartNew();
        while (!Done(client, transactions, rows, slices) && watch.Elapsed.TotalSeconds < 120)
        {
            LcBatch batch;
            Check(LightconeNative.lc_wait_tick(client, TickWaitMs, &batch), "lc_wait_tick");
            ticks++;
            for (uint i = 0; i < batch.count; i++)
            {
                LcEvent* e = &batch.events[i];
                if (e->kind != LC_EVENT_UPDATE) continue;
                updates++;
                checksum += (ulong)batch.data[e->a_offset] + e->a_len;
            }
        }
        double seconds = watch.Elapsed.TotalSeconds;
        bool finished = Done(client, transactions, rows, slices);
        Check(LightconeNative.lc_client_free(client), "lc_client_free");
        if (!finished) throw new Exception("the last transaction did not arrive in time");
        Console.WriteLine("{\"bench\":\"client_events\",\"via\":\"c# (mono, csbindgen)\",\"transactions\":" + transactions
            + ",\"seconds\":" + seconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)
            + ",\"row_changes_per_sec\":" + ((ulong)(changes / seconds))
            + ",\"row_events\":" + updates
            + ",\"row_events_per_sec\":" + ((ulong)(updates / seconds)) + ",\"ticks\":" + ticks
            + ",\"checksum\":" + checksum + "}");
        return 0;
    }
}
