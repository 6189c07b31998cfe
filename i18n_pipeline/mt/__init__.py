"""Machine translation: the engine interface, the CTranslate2 engine and the model store."""
