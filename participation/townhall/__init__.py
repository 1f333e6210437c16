"""Live town halls: questions, discussion and polls over Socket.IO, with facilitator controls."""
