#include "LightconeConnection.h"

#include "LightconeModule.h"

bool ULightconeConnection::Report(const lightcone::Status& Status)
{
	if (Status.ok())
	{
		return true;
	}
	const FString Message = LightconeText::FromUtf8(Status.message());
	UE_LOG(LogLightcone, Warning, TEXT("%s"), *Message);
	OnError.Broadcast(Message);
	return false;
}

void ULightconeConnection::SetState(ELightconeConnectionState NewState)
{
	if (State != NewState)
	{
		State = NewState;
		OnStateChanged.Broadcast(NewState);
	}
}

bool ULightconeConnection::Connect(const FString& Uri, const FString& Database, const FString& Token)
{
	Disconnect();
	lightcone::ConnectionBuilder Builder;
	Builder.with_uri(LightconeText::ToUtf8(Uri)).with_database(LightconeText::ToUtf8(Database));
	if (!Token.IsEmpty())
	{
		Builder.with_token(LightconeText::ToUtf8(Token));
	}
	AddTables(Builder);
	auto Built = Builder.build();
	if (!Report(Built.status()))
	{
		return false;
	}
	Native = std::move(Built.value());
	lightcone::Connection& C = *Native;
	C.on_connected.add([this](const lightcone::Identity& Id, const std::string& NewToken) {
		Identity = FLightconeIdentity::FromNative(Id);
		SetState(ELightconeConnectionState::Connected);
		OnConnected.Broadcast(Identity, LightconeText::FromUtf8(NewToken));
	});
	C.on_reconnected.add([this](const lightcone::Identity& Id) {
		Identity = FLightconeIdentity::FromNative(Id);
		SetState(ELightconeConnectionState::Connected);
	});
	C.on_connection_lost.add([this](const std::string& Why) {
		UE_LOG(LogLightcone, Warning, TEXT("connection lost: %s"), *LightconeText::FromUtf8(Why));
		SetState(ELightconeConnectionState::Reconnecting);
	});
	C.on_reconnecting.add([this](uint32 Attempt, uint32 DelayMs) {
		UE_LOG(LogLightcone, Log, TEXT("reconnect attempt %u in %u ms"), Attempt, DelayMs);
		SetState(ELightconeConnectionState::Reconnecting);
	});
	auto Closed = [this](const std::string& Why) {
		SetState(ELightconeConnectionState::Closed);
		OnDisconnected.Broadcast(LightconeText::FromUtf8(Why));
	};
	C.on_gave_up.add(Closed);
	C.on_disconnected.add(Closed);
	C.on_error.add([this](const lightcone::Status& Error) { Report(Error); });
	Bind(C);
	SetState(ELightconeConnectionState::Connecting);
	return true;
}

void ULightconeConnection::Disconnect()
{
	if (!Native)
	{
		return;
	}
	Native->disconnect();
	// Nothing ticks this connection once it is gone, so its close is reported here.
	Native.reset();
	Subscriptions.clear();
	SetState(ELightconeConnectionState::Closed);
	OnDisconnected.Broadcast(TEXT("disconnected by the game"));
}

int64 ULightconeConnection::Subscribe(const TArray<FString>& Queries)
{
	if (!Native)
	{
		Report(lightcone::Status(LC_ERR_CLOSED, "Subscribe before Connect"));
		return -1;
	}
	std::vector<std::string> Texts;
	for (const FString& Query : Queries)
	{
		Texts.push_back(LightconeText::ToUtf8(Query));
	}
	auto Sub = Native->subscribe(Texts);
	if (!Report(Sub.status()))
	{
		return -1;
	}
	std::shared_ptr<lightcone::Subscription> S = Sub.value();
	S->on_applied.add([this](lightcone::Subscription& Applied) { OnSubscription.Broadcast(Applied.id(), FString()); });
	S->on_error.add([this](lightcone::Subscription& Failed, const std::string& Why) {
		OnSubscription.Broadcast(Failed.id(), LightconeText::FromUtf8(Why));
	});
	Subscriptions.push_back(S);
	return S->id();
}

void ULightconeConnection::Tick()
{
	if (Native)
	{
		Report(Native->frame_tick());
	}
}

void ULightconeConnection::BeginDestroy()
{
	Native.reset();
	Super::BeginDestroy();
}
