// The chat sample (samples/chat in the Lightcone repository): put this on the GameObject that
// has a LightconeNetworkManager (database "chat"), after generating the module's code:
//   lightcone generate --lang csharp --out-dir Assets/Lightcone/Generated --project-path samples/chat/module-rust
// It logs who is online and every message, and sends what `Say` is given.
using Lightcone;
using Lightcone.Module;
using Lightcone.Unity;
using UnityEngine;

public class ChatClient : MonoBehaviour
{
    [SerializeField] string displayName = "unity-player";

    DbConnection db;

    void Start()
    {
        var manager = GetComponent<LightconeNetworkManager>();
        manager.Connect(b => (db = new DbConnection(b)).Connection);
        db.Connection.OnConnected += (identity, token) =>
        {
            var sub = db.Connection.Subscribe("SELECT * FROM user", "SELECT * FROM message");
            sub.OnApplied += s => db.Reducers.SetName(displayName, r =>
            {
                if (!r.Committed) Debug.LogWarning("set_name: " + r.Error);
            });
        };
        db.Db.User.OnInsert += u => Debug.Log(Name(u) + (u.Online ? " is online" : " joined"));
        db.Db.User.OnUpdate += (old, now) =>
        {
            if (old.Online != now.Online) Debug.Log(Name(now) + (now.Online ? " is online" : " left"));
            else if (old.Name != now.Name) Debug.Log(Name(old) + " is now " + Name(now));
        };
        db.Db.Message.OnInsert += m =>
        {
            User sender;
            string who = db.Db.User.TryFind(m.Sender, out sender) ? Name(sender) : m.Sender.ToString().Substring(0, 8);
            Debug.Log(who + ": " + m.Text);
        };
    }

    static string Name(User u) { return u.Name ?? u.Identity.ToString().Substring(0, 8); }

    /// Sends a chat message.
    public void Say(string text)
    {
        db.Reducers.SendMessage(text, r =>
        {
            if (!r.Committed) Debug.LogWarning("send_message: " + r.Error);
        });
    }
}
