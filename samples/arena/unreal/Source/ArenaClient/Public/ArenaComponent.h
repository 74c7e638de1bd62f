// The arena sample's Unreal glue (docs/arena.md): add it to an actor (your player controller
// or a manager in the level), and from Blueprint call Steer with the stick every frame, Split
// and Respawn on input, and draw GetBodies' circles (arena units; the arena is
// config.world_size on a side, origin in a corner), with the camera on GetFocus. It connects
// in BeginPlay and ticks its own connection every frame; all the game logic is in
// arena::Game (ArenaGame.hpp), which runs and is tested outside the engine.
#pragma once

#include "CoreMinimal.h"
#include "Components/ActorComponent.h"

// Complete types for the members below (UnrealHeaderTool's generated constructors destroy them).
#include "ArenaGame.hpp"

#include <memory>
#include <string>
#include <vector>

#include "ArenaComponent.generated.h"

UENUM(BlueprintType)
enum class EArenaBodyKind : uint8
{
	Mine,
	Other,
	Food
};

/// One circle to draw this frame.
USTRUCT(BlueprintType)
struct FArenaBody
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Arena")
	int64 EntityId = 0;

	/// Interpolated between the last two server ticks.
	UPROPERTY(BlueprintReadOnly, Category = "Arena")
	FVector2D Position = FVector2D(0, 0);

	UPROPERTY(BlueprintReadOnly, Category = "Arena")
	float Radius = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Arena")
	EArenaBodyKind Kind = EArenaBodyKind::Food;

	/// The owner's player_id; 0 for food.
	UPROPERTY(BlueprintReadOnly, Category = "Arena")
	int64 PlayerId = 0;
};

DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FArenaKillEvent, int64, KillerId, int64, VictimId, int64, Mass);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FArenaErrorEvent, const FString&, Message);

UCLASS(ClassGroup = (Lightcone), meta = (BlueprintSpawnableComponent))
class ARENACLIENT_API UArenaComponent : public UActorComponent
{
	GENERATED_BODY()

public:
	UArenaComponent();

	UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Arena")
	FString ServerUri = TEXT("http://127.0.0.1:3000");

	UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Arena")
	FString Database = TEXT("arena");

	UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Arena")
	FString PlayerName = TEXT("unreal-player");

	/// Someone's last piece was eaten.
	UPROPERTY(BlueprintAssignable, Category = "Arena")
	FArenaKillEvent OnKill;

	/// The server refused or failed something (a call, a subscription, the connection).
	UPROPERTY(BlueprintAssignable, Category = "Arena")
	FArenaErrorEvent OnError;

	/// The stick, -1..1 on each axis; sent at most once a server tick, only when it moved.
	UFUNCTION(BlueprintCallable, Category = "Arena")
	void Steer(FVector2D Stick);

	UFUNCTION(BlueprintCallable, Category = "Arena")
	void Split();

	UFUNCTION(BlueprintCallable, Category = "Arena")
	void Respawn();

	/// Whether we have a piece on the board.
	UFUNCTION(BlueprintCallable, Category = "Arena")
	bool IsAlive();

	/// Every circle in view this frame.
	UFUNCTION(BlueprintCallable, Category = "Arena")
	void GetBodies(TArray<FArenaBody>& Bodies);

	/// Where the camera looks: the centre of our pieces. False while we have none.
	UFUNCTION(BlueprintCallable, Category = "Arena")
	bool GetFocus(FVector2D& Focus);

	virtual void BeginPlay() override;
	virtual void EndPlay(const EEndPlayReason::Type Reason) override;
	virtual void TickComponent(float DeltaTime, ELevelTick TickType, FActorComponentTickFunction* ThisTickFunction) override;

private:
	std::unique_ptr<Lightcone::Module::DbConnection> Db;
	std::unique_ptr<arena::Game> Game;
	std::vector<arena::Body> Scratch;
	std::string ReportedError;
};
