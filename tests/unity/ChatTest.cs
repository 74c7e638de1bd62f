// The Unity package's engine-agnostic runtime plus code generated for the chat sample's
// module (samples/chat/module-rust), run under mono against the real server and the real
// native library (server/tests/unity_csharp.rs builds and runs it): each client is given its
// user row on connecting, a name set by one client and a message it sends reach the other as
// typed rows with their update and insert events, the module's own errors come back as call
// results, and a client that leaves is seen going offline.
//
// usage: mono ChatTest.exe <server-url> <database>
using System;
using System.Collections.Generic;
using Lightcone;
using Lightcone.Module;

public static class ChatTest
{
    public static int Main(string[] args)
    {
        var a = Checks.Connect(args[0], args[1], "SELECT * FROM user", "SELECT * FROM message");
        var b = Checks.Connect(args[0], args[1], "SELECT * FROM user", "SELECT * FROM message");
        var aId = a.Connection.Identity;
        var bId = b.Connection.Identity;
        Checks.That(!aId.Equals(bId), "two identities");

        // client_connected gave each its user row, online and unnamed, which both see.
        User aUser;
        Checks.That(Checks.Until(() => b.Db.User.TryFind(aId, out aUser), b), "b holds a's user row");
        Checks.That(a.Db.User.TryFind(aId, out aUser) && aUser.Online && aUser.Name == null, "a's own row: online, no name");
        Checks.That(Checks.Until(() => a.Db.User.Count == 2, a), "a sees both users");

        // A name set by a reaches b as an update of the same row.
        var renamed = new List<User>();
        b.Db.User.OnUpdate += (old, now) => { if (now.Identity.Equals(aId)) { renamed.Add(old); renamed.Add(now); } };
        Checks.That(Checks.Call(a, done => a.Reducers.SetName("ann", done)).Committed, "set_name committed");
        Checks.That(Checks.Until(() => renamed.Count == 2, b), "b sees the rename as one update");
        if (renamed.Count == 2) Checks.That(renamed[0].Name == null && renamed[1].Name == "ann" && renamed[1].Online, "old and new user rows");

        // A message from a reaches b as a typed row naming its sender.
        var received = new List<Message>();
        b.Db.Message.OnInsert += m => received.Add(m);
        Checks.That(Checks.Call(a, done => a.Reducers.SendMessage("hello from ann", done)).Committed, "send_message committed");
        Checks.That(Checks.Until(() => received.Count == 1, b), "b receives the message");
        if (received.Count == 1)
        {
            Checks.That(received[0].Sender.Equals(aId) && received[0].Text == "hello from ann", "the message's sender and text");
            var age = DateTime.UtcNow - received[0].Sent.ToDateTime();
            Checks.That(age >= TimeSpan.FromMinutes(-1) && age < TimeSpan.FromMinutes(5), "the message was stamped when it was sent: " + received[0].Sent);
        }
        Checks.That(a.Db.Message.Count == 1 && b.Db.Message.Count == 1, "one message in each cache");

        // The module's own refusals come back as failed calls with its text.
        var noName = Checks.Call(a, done => a.Reducers.SetName("", done));
        Checks.That(noName.Status == CallStatus.Failed && noName.Error.Contains("Names must not be empty"), "an empty name: " + noName.Error);
        var noText = Checks.Call(b, done => b.Reducers.SendMessage("", done));
        Checks.That(noText.Status == CallStatus.Failed && noText.Error.Contains("Messages must not be empty"), "an empty message: " + noText.Error);
        Checks.That(b.Db.Message.Count == 1, "a refused message is not cached");

        // a leaves: client_disconnected marks it offline, and b sees that.
        a.Dispose();
        User gone = default(User);
        Checks.That(Checks.Until(() => b.Db.User.TryFind(aId, out gone) && !gone.Online, b), "b sees a go offline");
        Checks.That(gone.Name == "ann", "a's name outlives its connection");

        b.Dispose();
        return Checks.Finish("chat");
    }
}
