"""Card readers: insurance IC cards (社保卡/医保卡) and hospital cards (就诊卡)."""
