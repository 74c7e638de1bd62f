#include "LightconeTypes.h"

bool FLightconeIdentity::ToNative(lightcone::Identity& Out) const
{
	if (Hex.IsEmpty())
	{
		Out = Native;
		return true;
	}
	return Hex.Len() == 64 && LightconeWide::FromHex(Hex, Out.value);
}

FLightconeScheduleAt FLightconeScheduleAt::FromNative(const lightcone::ScheduleAt& Native)
{
	FLightconeScheduleAt Out;
	Out.bIsInterval = Native.tag == lightcone::ScheduleAt::Tag::Interval;
	Out.Interval = LightconeTime::ToTimespan(Native.interval);
	Out.Time = LightconeTime::ToDateTime(Native.time);
	return Out;
}

lightcone::ScheduleAt FLightconeScheduleAt::ToNative() const
{
	return bIsInterval ? lightcone::ScheduleAt::make_interval(LightconeTime::FromTimespan(Interval))
					   : lightcone::ScheduleAt::make_time(LightconeTime::FromDateTime(Time));
}
