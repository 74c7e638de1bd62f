#include "ArenaComponent.h"

#include "HAL/PlatformTime.h"

UArenaComponent::UArenaComponent()
{
	PrimaryComponentTick.bCanEverTick = true;
}

void UArenaComponent::BeginPlay()
{
	Super::BeginPlay();
	auto Built = Lightcone::Module::DbConnection::connect(
		lightcone::ConnectionBuilder().with_uri(TCHAR_TO_UTF8(*ServerUri)).with_database(TCHAR_TO_UTF8(*Database)));
	if (!Built)
	{
		OnError.Broadcast(UTF8_TO_TCHAR(Built.status().message().c_str()));
		return;
	}
	Db = std::move(Built.value());
	Game = std::make_unique<arena::Game>(*Db, TCHAR_TO_UTF8(*PlayerName), [] { return FPlatformTime::Seconds(); });
	Game->on_kill.add([this](const Lightcone::Module::Kill& K) { OnKill.Broadcast(K.killer_id, K.victim_id, K.mass); });
}

void UArenaComponent::EndPlay(const EEndPlayReason::Type Reason)
{
	if (Db) Db->connection().disconnect();
	Game.reset();
	Db.reset();
	Super::EndPlay(Reason);
}

void UArenaComponent::TickComponent(float DeltaTime, ELevelTick TickType, FActorComponentTickFunction* ThisTickFunction)
{
	Super::TickComponent(DeltaTime, TickType, ThisTickFunction);
	if (!Game) return;
	lightcone::Status S = Db->frame_tick();
	if (!S) OnError.Broadcast(UTF8_TO_TCHAR(S.message().c_str()));
	Game->update();
	if (Game->last_error() != ReportedError)
	{
		ReportedError = Game->last_error();
		if (!ReportedError.empty()) OnError.Broadcast(UTF8_TO_TCHAR(ReportedError.c_str()));
	}
}

void UArenaComponent::Steer(FVector2D Stick)
{
	if (Game) Game->steer(static_cast<float>(Stick.X), static_cast<float>(Stick.Y));
}

void UArenaComponent::Split()
{
	if (Game) Game->split();
}

void UArenaComponent::Respawn()
{
	if (Game) Game->respawn();
}

bool UArenaComponent::IsAlive()
{
	return Game && Game->alive();
}

void UArenaComponent::GetBodies(TArray<FArenaBody>& Bodies)
{
	Bodies.Empty();
	if (!Game) return;
	Game->bodies(Scratch);
	Bodies.Reserve(static_cast<int32>(Scratch.size()));
	for (const arena::Body& B : Scratch)
	{
		FArenaBody Out;
		Out.EntityId = B.entity_id;
		Out.Position = FVector2D(B.x, B.y);
		Out.Radius = B.radius;
		Out.Kind = B.kind == arena::BodyKind::Mine ? EArenaBodyKind::Mine : B.kind == arena::BodyKind::Other ? EArenaBodyKind::Other : EArenaBodyKind::Food;
		Out.PlayerId = B.player_id;
		Bodies.Add(Out);
	}
}

bool UArenaComponent::GetFocus(FVector2D& Focus)
{
	float X = 0, Y = 0;
	if (!Game || !Game->focus(X, Y)) return false;
	Focus = FVector2D(X, Y);
	return true;
}
