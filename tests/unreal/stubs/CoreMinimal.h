// A small stand-in for the Unreal Engine types and macros the plugin's glue uses, so the glue
// compiles in our test run (server/tests/unreal_plugin.rs) where no engine is installed. Kept
// under tests, never shipped. It checks that the glue is well-formed C++ against these
// signatures; it says nothing about Unreal's own headers beyond them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using int8 = int8_t;
using int16 = int16_t;
using int32 = int32_t;
using int64 = int64_t;
using uint8 = uint8_t;
using uint16 = uint16_t;
using uint32 = uint32_t;
using uint64 = uint64_t;
using TCHAR = char;

#define TEXT(x) x
#define UTF8_TO_TCHAR(x) (x)
#define TCHAR_TO_UTF8(x) (x)

// Reflection markup: UnrealHeaderTool reads it; the compiler sees nothing.
#define UCLASS(...)
#define USTRUCT(...)
#define UENUM(...)
#define UPROPERTY(...)
#define UFUNCTION(...)
#define UMETA(...)
#define GENERATED_BODY()

class FString
{
public:
	FString() = default;
	FString(const TCHAR* Text) : Value(Text) {}
	const TCHAR* operator*() const { return Value.c_str(); }
	bool IsEmpty() const { return Value.empty(); }
	bool operator==(const FString& Other) const { return Value == Other.Value; }
	int32 Len() const { return static_cast<int32>(Value.size()); }

private:
	std::string Value;
};

template <class T>
class TArray
{
public:
	int32 Add(const T& Item)
	{
		Items.push_back(Item);
		return static_cast<int32>(Items.size()) - 1;
	}
	int32 Remove(const T& Item)
	{
		int32 Removed = 0;
		for (auto It = Items.begin(); It != Items.end();)
		{
			if (*It == Item) { It = Items.erase(It); ++Removed; }
			else ++It;
		}
		return Removed;
	}
	int32 Num() const { return static_cast<int32>(Items.size()); }
	const T* GetData() const { return Items.data(); }
	void Empty() { Items.clear(); }
	void Reserve(int32 N) { Items.reserve(static_cast<size_t>(N)); }
	T& operator[](int32 I) { return Items[static_cast<size_t>(I)]; }
	const T& operator[](int32 I) const { return Items[static_cast<size_t>(I)]; }
	typename std::vector<T>::iterator begin() { return Items.begin(); }
	typename std::vector<T>::iterator end() { return Items.end(); }
	typename std::vector<T>::const_iterator begin() const { return Items.begin(); }
	typename std::vector<T>::const_iterator end() const { return Items.end(); }

private:
	std::vector<T> Items;
};

/// 100 ns ticks since 0001-01-01.
class FDateTime
{
public:
	FDateTime(int64 InTicks = 0) : Ticks(InTicks) {}
	int64 GetTicks() const { return Ticks; }
	bool operator==(const FDateTime& Other) const { return Ticks == Other.Ticks; }

private:
	int64 Ticks;
};

/// A span of 100 ns ticks.
class FTimespan
{
public:
	FTimespan(int64 InTicks = 0) : Ticks(InTicks) {}
	int64 GetTicks() const { return Ticks; }
	bool operator==(const FTimespan& Other) const { return Ticks == Other.Ticks; }

private:
	int64 Ticks;
};

/// A 2-D vector (doubles since UE 5.0).
struct FVector2D
{
	double X = 0, Y = 0;
	FVector2D() = default;
	FVector2D(double InX, double InY) : X(InX), Y(InY) {}
};

class UClass;

class UObject
{
public:
	// In Unreal, GENERATED_BODY declares `Super` per class; here each stub base names itself,
	// which is right for its direct children.
	using Super = UObject;
	virtual ~UObject() = default;
	virtual void BeginDestroy() {}
	bool IsTemplate() const { return false; }
	static UClass* StaticClass() { return nullptr; }
};

template <class T>
class TObjectPtr
{
public:
	TObjectPtr(T* Object = nullptr) : Pointer(Object) {}
	operator T*() const { return Pointer; }
	T* operator->() const { return Pointer; }
	bool operator==(const TObjectPtr& Other) const { return Pointer == Other.Pointer; }
	bool operator==(std::nullptr_t) const { return Pointer == nullptr; }

private:
	T* Pointer;
};

template <class T>
class TSubclassOf
{
public:
	TSubclassOf(UClass* C = nullptr) : Class(C) {}
	explicit operator bool() const { return Class != nullptr; }
	operator UClass*() const { return Class; }

private:
	UClass* Class;
};

template <class T>
T* NewObject(UObject* Outer, UClass* Class);

template <class T>
T* NewObject(UObject* Outer);

template <class T>
T* Cast(UObject* Object);

struct TStatId
{
};
#define RETURN_QUICK_DECLARE_CYCLE_STAT(Name, Group) return TStatId()

struct FLogCategoryStub
{
};
#define DECLARE_LOG_CATEGORY_EXTERN(Name, Verbosity, All) extern FLogCategoryStub Name
#define DEFINE_LOG_CATEGORY(Name) FLogCategoryStub Name
template <class... Args>
void UeLogStub(const FLogCategoryStub&, const TCHAR*, Args&&...)
{
}
#define UE_LOG(Category, Verbosity, Format, ...) UeLogStub(Category, Format, ##__VA_ARGS__)

// Dynamic multicast delegates: Broadcast with the declared parameters.
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(Name, T1, N1) \
	struct Name                                                  \
	{                                                            \
		void Broadcast(T1) const {}                              \
		bool IsBound() const { return true; }                    \
	}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(Name, T1, N1, T2, N2) \
	struct Name                                                           \
	{                                                                     \
		void Broadcast(T1, T2) const {}                                   \
		bool IsBound() const { return true; }                             \
	}
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(Name, T1, N1, T2, N2, T3, N3) \
	struct Name                                                                     \
	{                                                                               \
		void Broadcast(T1, T2, T3) const {}                                         \
		bool IsBound() const { return true; }                                       \
	}

// Native multicast delegates (TMulticastDelegate): Broadcast with the declared parameters.
#define DECLARE_MULTICAST_DELEGATE_OneParam(Name, T1) \
	struct Name                                      \
	{                                                \
		void Broadcast(T1) const {}                  \
	}
#define DECLARE_MULTICAST_DELEGATE_TwoParams(Name, T1, T2) \
	struct Name                                           \
	{                                                     \
		void Broadcast(T1, T2) const {}                   \
	}
