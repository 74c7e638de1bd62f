// Owns the game instance's Lightcone connections and ticks each once per frame, so a game
// cannot forget to (a client that is never ticked never sees its rows). Create connections
// through it: from Blueprint with CreateConnection, from C++ with CreateConnection<T>().
#pragma once

#include "CoreMinimal.h"
#include "Subsystems/GameInstanceSubsystem.h"
#include "Tickable.h"
#include "Templates/SubclassOf.h"

#include "LightconeConnection.h"

#include "LightconeSubsystem.generated.h"

UCLASS()
class LIGHTCONE_API ULightconeSubsystem : public UGameInstanceSubsystem, public FTickableGameObject
{
	GENERATED_BODY()

public:
	/// A new connection of class `Class` (a generated module connection), ticked every frame
	/// from now on; call Connect on it.
	UFUNCTION(BlueprintCallable, Category = "Lightcone", meta = (DeterminesOutputType = "Class"))
	ULightconeConnection* CreateConnection(TSubclassOf<ULightconeConnection> Class);

	template <class T>
	T* CreateConnection()
	{
		return Cast<T>(CreateConnection(T::StaticClass()));
	}

	/// Stops ticking `Connection` and closes it.
	UFUNCTION(BlueprintCallable, Category = "Lightcone")
	void DestroyConnection(ULightconeConnection* Connection);

	virtual void Deinitialize() override;

	// FTickableGameObject
	virtual void Tick(float DeltaTime) override;
	virtual TStatId GetStatId() const override;
	virtual bool IsTickable() const override { return !IsTemplate() && Connections.Num() > 0; }
	virtual bool IsTickableWhenPaused() const override { return true; }

private:
	UPROPERTY()
	TArray<TObjectPtr<ULightconeConnection>> Connections;
};
