#include "LightconeSubsystem.h"

ULightconeConnection* ULightconeSubsystem::CreateConnection(TSubclassOf<ULightconeConnection> Class)
{
	if (!Class)
	{
		return nullptr;
	}
	ULightconeConnection* Connection = NewObject<ULightconeConnection>(this, Class);
	Connections.Add(Connection);
	return Connection;
}

void ULightconeSubsystem::DestroyConnection(ULightconeConnection* Connection)
{
	if (Connection != nullptr && Connections.Remove(Connection) > 0)
	{
		Connection->Disconnect();
	}
}

void ULightconeSubsystem::Deinitialize()
{
	for (ULightconeConnection* Connection : Connections)
	{
		if (Connection != nullptr)
		{
			Connection->Disconnect();
		}
	}
	Connections.Empty();
	Super::Deinitialize();
}

void ULightconeSubsystem::Tick(float /*DeltaTime*/)
{
	// A copy: a handler may create or destroy connections.
	TArray<TObjectPtr<ULightconeConnection>> Ticked = Connections;
	for (ULightconeConnection* Connection : Ticked)
	{
		if (Connection != nullptr)
		{
			Connection->Tick();
		}
	}
}

TStatId ULightconeSubsystem::GetStatId() const
{
	RETURN_QUICK_DECLARE_CYCLE_STAT(ULightconeSubsystem, STATGROUP_Tickables);
}
