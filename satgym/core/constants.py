"""Physical constants shared by every family (units in the names)."""

SPEED_OF_LIGHT_KM_S = 299_792.458
